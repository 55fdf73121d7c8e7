/*
 * Memory instrumentation for the xsnap-worker that `npm run bench:memory` and
 * the preload test use. scripts/build-xsnap-memory.mjs compiles a copy of
 * @agoric/xsnap's worker with this file appended to xsnapPlatform.c; the
 * shipped worker is untouched. Benchmarks and tests only.
 *
 *   TALLY_XS_STACK=<slots>    the XS stack size (a manifest's creation.stack)
 *   xsMemory()                JSON: live slots, chunk bytes, keys (exact right after gc())
 *   xsMemoryFix(slots, bytes) gc, then fix the heap and the chunk space with at
 *                             least that much free, as creation's "incremental": 0
 *                             does on a device (exit 11 when it runs out);
 *                             JSON: the free space actually left
 *   xsPreloadFreeze()         what the XS linker does to every object alive after
 *                             preload (documentation/xs/preload.md, "XS linker
 *                             warnings.md"): functions frozen; Map, Set, WeakMap,
 *                             WeakSet, ArrayBuffer (so TypedArray, DataView) and
 *                             Date instances read-only (the flags fx_petrify in
 *                             xsLockdown.c sets). Ordinary objects, arrays and
 *                             closures stay writable: preload aliases them in RAM.
 */
#include <stdlib.h>

extern void fxGrowSlots(txMachine* the, txSize theCount);

void tally_memory_creation(txCreation* creation)
{
	char* stack = getenv("TALLY_XS_STACK");
	if (stack && atoi(stack) > 0)
		creation->stackCount = atoi(stack);
	/* small steps, so that the reserved heap follows the live data */
	creation->initialHeapCount = 4096;
	creation->incrementalHeapCount = 256;
	creation->initialChunkSize = 64 * 1024;
	creation->incrementalChunkSize = 4096;
}

static void tally_json(txMachine* the, const char* format, long a, long b, long c, long d, long e)
{
	char buffer[256];
	snprintf(buffer, sizeof(buffer), format, a, b, c, d, e);
	fxCopyStringC(the, mxResult, buffer);
}

void tally_xs_memory(txMachine* the)
{
	tally_json(the, "{\"slots\":%ld,\"heapSlots\":%ld,\"chunks\":%ld,\"chunkBytes\":%ld,\"keys\":%ld}",
		(long)the->currentHeapCount, (long)the->maximumHeapCount,
		(long)the->currentChunksSize, (long)the->maximumChunksSize, (long)(the->keyIndex - the->keyOffset));
}

void tally_xs_memory_fix(txMachine* the)
{
	txInteger slots = fxToInteger(the, mxArgv(0));
	txInteger bytes = fxToInteger(the, mxArgv(1));
	txInteger free;
	fxCollectGarbage(the);
	free = the->maximumHeapCount - the->currentHeapCount;
	if (free < slots)
		fxGrowSlots(the, slots - free + 1);
	free = the->maximumChunksSize - the->currentChunksSize;
	if (free < bytes)
		fxNewChunk(the, bytes - free); /* garbage at once: the space stays reserved */
	fxCollectGarbage(the);
	the->minimumHeapCount = 0;
	the->minimumChunksSize = 0;
	tally_json(the, "{\"slots\":%ld,\"bytes\":%ld}", (long)(the->maximumHeapCount - the->currentHeapCount),
		(long)(the->maximumChunksSize - the->currentChunksSize), 0, 0, 0);
}

static void tally_freeze_instance(txSlot* instance)
{
	txSlot* property;
	instance->flag |= XS_DONT_PATCH_FLAG;
	for (property = instance->next; property; property = property->next) {
		if (property->flag & XS_INTERNAL_FLAG)
			continue;
		property->flag |= XS_DONT_DELETE_FLAG;
		if (property->kind != XS_ACCESSOR_KIND)
			property->flag |= XS_DONT_SET_FLAG;
	}
}

void tally_xs_preload_freeze(txMachine* the)
{
	txSlot *heap, *slot, *limit, *internal;
	long functions = 0, readOnly = 0;
	fxCollectGarbage(the);
	for (heap = the->firstHeap; heap; heap = heap->next) {
		limit = heap->value.reference;
		for (slot = heap + 1; slot < limit; slot++) {
			if (slot->kind != XS_INSTANCE_KIND)
				continue;
			if (mxIsFunction(slot)) {
				tally_freeze_instance(slot);
				functions++;
				continue;
			}
			for (internal = slot->next; internal && (internal->flag & XS_INTERNAL_FLAG); internal = internal->next) {
				switch (internal->kind) {
				case XS_ARRAY_BUFFER_KIND:
				case XS_DATE_KIND:
				case XS_MAP_KIND:
				case XS_SET_KIND:
				case XS_WEAK_MAP_KIND:
				case XS_WEAK_SET_KIND:
					internal->flag |= XS_DONT_SET_FLAG;
					readOnly++;
					break;
				}
			}
		}
	}
	tally_json(the, "{\"functions\":%ld,\"readOnly\":%ld}", functions, readOnly, 0, 0, 0);
}
