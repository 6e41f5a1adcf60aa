/** A protobuf Duration in its JSON form: 1_500_000_000n ns → "1.5s", 2_000_000n ns → "0.002s". */
export function formatDuration(nanos: bigint): string {
  const ns = nanos < 0n ? 0n : nanos;
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction ? `${seconds}.${fraction}s` : `${seconds}s`;
}
