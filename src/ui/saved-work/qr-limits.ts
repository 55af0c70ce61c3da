/** Bytes the largest QR code (version 40, correction L) holds in byte mode (ISO/IEC 18004, table 7). */
export const QR_MAX_BYTES = 2953;
