/* fuzz.h: what every libFuzzer target here shares: libFuzzer's entry
 * points and CHECK, which traps when a promise of the code under test is
 * broken (libFuzzer then keeps the input that broke it). */
#ifndef DEVENV_FUZZ_H
#define DEVENV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

#endif
