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
 *                             JSON also counts the live RegExp and generator (or
 *                             async function) instances, which the linker refuses
 *                             to preload at all (both must be 0).
 *   xsPreloadDirty()          JSON: what preload's aliasing would have cost in RAM
 *                             so far. On a device a write to a preloaded object or
 *                             module variable makes a RAM copy of it (fxAliasInstance,
 *                             xsType.c: the instance, every property slot, and an
 *                             array's items); here writes happen in place, so the
 *                             freeze fingerprints every unfrozen instance and closure
 *                             and this counts the ones that changed since, with the
 *                             slots and item bytes their copies would take, plus
 *                             "aliasable": the length of the aliasArray the device
 *                             allocates at start (one pointer each).
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

/* Fingerprints of what was alive at the freeze (xsPreloadDirty). */
typedef struct { txSlot* slot; unsigned long hash; int closure; } tally_print;
static tally_print* tally_prints = NULL;
static long tally_print_count = 0;

static unsigned long tally_hash_bytes(unsigned long h, const void* data, size_t size)
{
	const unsigned char* p = data;
	while (size--)
		h = (h ^ *p++) * 1099511628211UL;
	return h;
}

/* Heap slots never move, chunks do (the collector compacts them): chunk
   pointers are hashed by content, or not at all for kinds that preload makes
   read-only or that only frozen functions hold. */
static unsigned long tally_hash_slot(unsigned long h, txSlot* slot)
{
	txU1 flag = slot->flag & ~XS_MARK_FLAG;
	h = tally_hash_bytes(h, &slot->next, sizeof(slot->next));
	h = tally_hash_bytes(h, &slot->ID, sizeof(slot->ID));
	h = tally_hash_bytes(h, &flag, sizeof(flag));
	h = tally_hash_bytes(h, &slot->kind, sizeof(slot->kind));
	switch (slot->kind) {
	case XS_STRING_KIND:
	case XS_STRING_X_KIND:
		return tally_hash_bytes(h, slot->value.string, c_strlen(slot->value.string));
	case XS_BIGINT_KIND:
	case XS_BIGINT_X_KIND:
		h = tally_hash_bytes(h, &slot->value.bigint.size, sizeof(slot->value.bigint.size));
		h = tally_hash_bytes(h, &slot->value.bigint.sign, sizeof(slot->value.bigint.sign));
		return tally_hash_bytes(h, slot->value.bigint.data, slot->value.bigint.size * sizeof(txU4));
	case XS_ARRAY_KIND:
		return tally_hash_bytes(h, &slot->value.array.length, sizeof(slot->value.array.length));
	case XS_ARRAY_BUFFER_KIND:
	case XS_CODE_KIND:
	case XS_REGEXP_KIND:
	case XS_KEY_KIND:
	case XS_STACK_KIND:
	case XS_HOST_KIND:
	case XS_GLOBAL_KIND:
	case XS_MAP_KIND:
	case XS_SET_KIND:
	case XS_WEAK_MAP_KIND:
	case XS_WEAK_SET_KIND:
		return h;
	default:
		return tally_hash_bytes(h, &slot->value, sizeof(slot->value));
	}
}

/* The instance, its properties and an array's items; sets the slots and item bytes a copy takes. */
static unsigned long tally_hash_instance(txMachine* the, txSlot* instance, long* slots, long* bytes)
{
	unsigned long h = tally_hash_bytes(14695981039346656037UL, &instance->value.instance.prototype, sizeof(txSlot*));
	txSlot* property;
	*slots = 1;
	*bytes = 0;
	for (property = instance->next; property; property = property->next) {
		h = tally_hash_slot(h, property);
		(*slots)++;
		if (property->kind == XS_ARRAY_KIND && property->value.array.address) {
			txSlot* address = property->value.array.address;
			txSize size = (((txChunk*)(((txByte*)address) - sizeof(txChunk)))->size);
			txSlot* item = address;
			txIndex length = fxGetIndexSize(the, property);
			for (; length > 0; length--, item++)
				h = tally_hash_slot(h, item);
			/* the device's slots are 16 bytes, this host's 32 */
			*bytes += (long)(size / sizeof(txSlot)) * 16;
		}
	}
	return h;
}

static int tally_frozen(txSlot* instance)
{
	txSlot* property;
	if (!(instance->flag & XS_DONT_PATCH_FLAG))
		return 0;
	for (property = instance->next; property; property = property->next) {
		if (property->kind == XS_ARRAY_KIND)
			return 0;
		if (property->kind != XS_ACCESSOR_KIND && !(property->flag & XS_DONT_SET_FLAG))
			return 0;
	}
	return 1;
}

/* Preloaded objects live in flash on a card and never die; here they can be
   collected and their heap slot reused by a run-time object, which must not
   count as a write. Slots fingerprinted at the freeze carry this marker in
   the slot's padding word (64-bit xsnap builds with mxSnapshot: fxNewSlot
   zeroes it for every new slot, nothing else touches it). */
#define TALLY_PRELOADED 0x7A11
#if defined(mxSnapshot) && INTPTR_MAX == INT64_MAX
#define tally_mark_preloaded(SLOT) ((SLOT)->dummy = TALLY_PRELOADED)
#define tally_still_preloaded(SLOT) ((SLOT)->dummy == TALLY_PRELOADED)
#else
#error "tally-memory.c tells preloaded slots by their padding word: build xsnap-worker 64-bit with mxSnapshot"
#endif

static void tally_fingerprint(txMachine* the)
{
	txSlot *heap, *slot, *limit;
	long n = 0, pass, slots, bytes;
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		for (heap = the->firstHeap; heap; heap = heap->next) {
			limit = heap->value.reference;
			for (slot = heap + 1; slot < limit; slot++) {
				if (slot->kind == XS_INSTANCE_KIND && !tally_frozen(slot)) {
					if (pass) {
						tally_prints[n].slot = slot;
						tally_prints[n].closure = 0;
						tally_prints[n].hash = tally_hash_instance(the, slot, &slots, &bytes);
						tally_mark_preloaded(slot);
					}
					n++;
				}
				else if (slot->kind == XS_CLOSURE_KIND && slot->value.closure && !(slot->value.closure->flag & XS_DONT_SET_FLAG)) {
					if (pass) {
						tally_prints[n].slot = slot->value.closure;
						tally_prints[n].closure = 1;
						tally_prints[n].hash = tally_hash_slot(14695981039346656037UL, slot->value.closure);
						tally_mark_preloaded(slot->value.closure);
					}
					n++;
				}
			}
		}
		if (!pass) {
			free(tally_prints);
			tally_prints = malloc((n + 1) * sizeof(tally_print));
		}
	}
	tally_print_count = n;
}

void tally_xs_preload_dirty(txMachine* the)
{
	long i, instances = 0, closures = 0, slots = 0, bytes = 0, s, b;
	for (i = 0; i < tally_print_count; i++) {
		tally_print* p = &tally_prints[i];
		/* collected since the freeze (and maybe reused): still in flash, unwritten, on a card */
		if (!tally_still_preloaded(p->slot) || (!p->closure && p->slot->kind != XS_INSTANCE_KIND))
			continue;
		if (p->closure) {
			if (tally_hash_slot(14695981039346656037UL, p->slot) != p->hash) {
				closures++;
				slots++;
			}
		}
		else if (tally_hash_instance(the, p->slot, &s, &b) != p->hash) {
			instances++;
			slots += s;
			bytes += b;
		}
	}
	tally_json(the, "{\"instances\":%ld,\"closures\":%ld,\"slots\":%ld,\"itemBytes\":%ld,\"aliasable\":%ld}",
		instances, closures, slots, bytes, tally_print_count);
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
	long functions = 0, readOnly = 0, regexps = 0, generators = 0;
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
				case XS_REGEXP_KIND:
					if (slot != mxRegExpPrototype.value.reference)
						regexps++;
					break;
				case XS_STACK_KIND: /* a generator's or an async function's suspended frame */
					generators++;
					break;
				}
			}
		}
	}
	tally_fingerprint(the);
	tally_json(the, "{\"functions\":%ld,\"readOnly\":%ld,\"regexps\":%ld,\"generators\":%ld}", functions, readOnly, regexps, generators, 0);
}
