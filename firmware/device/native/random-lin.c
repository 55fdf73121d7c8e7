/*
 * Random bytes on the Linux desktop build (module "tally/native/random",
 * random.js): getrandom(2), the kernel's CSPRNG, as /dev/urandom.
 */
#include "xsmc.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

void xs_tally_random_fill(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;
	uint8_t *p;

	xsmcGetBufferWritable(xsArg(0), &data, &length);
	p = (uint8_t *)data;
	while (length > 0) {
		ssize_t n = getrandom(p, length, 0);
		if (n < 0) {
			if (EINTR == errno)
				continue;
			xsUnknownError("getrandom failed");
		}
		p += n;
		length -= (xsUnsignedValue)n;
	}
}
