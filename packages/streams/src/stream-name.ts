/** The stream service's rule: 1 to 1024 characters, no control characters. */
export function isValidStreamName(stream: unknown): stream is string {
  // eslint-disable-next-line no-control-regex -- control characters are what the rule refuses
  return typeof stream === 'string' && stream.length > 0 && stream.length <= 1024 && !/[\u0000-\u001f\u007f]/.test(stream);
}
