// grpc-js's own wording for messages over a size limit, word for word, so a test that checks the message of a
// RESOURCE_EXHAUSTED sees the same text in memory as over the network.

/** A message larger than the receiver's limit (grpc-js's stream decoder, on either side). */
export function receivedTooLarge(size: number, limit: number): string {
  return `Received message larger than max (${size} vs ${limit})`;
}

/** A response larger than the server's send limit. grpc-js counts the 5-byte message prefix in the size it reports. */
export function sentTooLarge(size: number, limit: number): string {
  return `Sent message larger than max (${size + 5} vs. ${limit})`;
}

/** A request larger than the client's send limit. */
export function requestTooLarge(limit: number): string {
  return `Attempted to send message with a size larger than ${limit}`;
}
