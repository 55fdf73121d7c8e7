// `tally bridge list`: the serial ports a card could be on. The serialport
// package asks udev (udevadm) on Linux; where udev is absent (containers) the
// device folders are read instead.
import { readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';

export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

const onPath = (cmd: string): boolean => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));

export async function listPorts(): Promise<PortInfo[]> {
  if (process.platform !== 'linux' || onPath('udevadm')) {
    const ports = await SerialPort.list();
    return ports.map((p) => {
      const o: PortInfo = { path: p.path };
      if (p.manufacturer) o.manufacturer = p.manufacturer;
      if (p.serialNumber) o.serialNumber = p.serialNumber;
      if (p.vendorId) o.vendorId = p.vendorId;
      if (p.productId) o.productId = p.productId;
      return o;
    });
  }
  // USB serial adapters and CDC-ACM devices (the ESP32's USB serial), plus their stable names.
  const out: PortInfo[] = [];
  for (const name of safeList('/dev').sort()) if (/^tty(USB|ACM|AMA|XRUSB)\d+$/.test(name)) out.push({ path: `/dev/${name}` });
  for (const name of safeList('/dev/serial/by-id').sort()) out.push({ path: `/dev/serial/by-id/${name}` });
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
