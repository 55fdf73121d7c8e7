/*
 * Hardware random bytes on the ESP32 for the card's keys, tokens and Noise
 * ephemerals (module "tally/native/random", random.js).
 *
 * esp_fill_random reads the hardware RNG. The RNG is a true random source
 * only while an entropy source runs: the RF subsystem (BLE here), or the
 * bootloader's SAR ADC source. So when the Bluetooth controller is not
 * enabled, the bootloader source is switched on for the duration of the call
 * (ESP-IDF: "bootloader_random_enable() ... must be disabled before the RF
 * subsystem is used", which this does before returning).
 */
#include "xsmc.h"
#include "xsHost.h"

#include "esp_random.h"

#if defined(__has_include)
	#if __has_include("bootloader_random.h")
		#include "bootloader_random.h"
		#define TALLY_HAS_BOOTLOADER_RANDOM 1
	#endif
	#if __has_include("esp_bt.h")
		#include "esp_bt.h"
		#define TALLY_HAS_BT 1
	#endif
#endif

void xs_tally_random_fill(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;

	xsmcGetBufferWritable(xsArg(0), &data, &length);
	if (0 == length)
		return;

#if TALLY_HAS_BOOTLOADER_RANDOM
	int radioOff = 1;
	#if TALLY_HAS_BT
		radioOff = (ESP_BT_CONTROLLER_STATUS_ENABLED != esp_bt_controller_get_status());
	#endif
	if (radioOff)
		bootloader_random_enable();
	esp_fill_random(data, length);
	if (radioOff)
		bootloader_random_disable();
#else
	esp_fill_random(data, length);
#endif
}
