#ifndef PRISTINE_LOADER_START_H
#define PRISTINE_LOADER_START_H

#define LOADER_STACK_SIZE	65536
#define LOADER_STACK_SIZE_STR	"65536"

extern char loader_stack[LOADER_STACK_SIZE];
void _start(void);
__attribute__((noreturn)) void loader_main(unsigned long *sp);

#endif
