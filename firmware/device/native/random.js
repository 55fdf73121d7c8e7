/*
 * Fills an ArrayBuffer with random bytes from the platform's hardware source:
 * random-esp32.c (esp_fill_random) or random-lin.c (getrandom). Module
 * specifier "tally/native/random"; declared in random.d.ts.
 */
export default function fillRandom(buffer) @ "xs_tally_random_fill";
