#ifndef PRISTINE_LOADER_START_H
#define PRISTINE_LOADER_START_H

#define LOADER_STACK_SIZE	16384
#define LOADER_STACK_SIZE_STR	"16384"

void _start(void);
__attribute__((noreturn)) void loader_main(unsigned long *sp);

#endif
