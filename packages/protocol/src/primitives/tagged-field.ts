// A tagged field (KIP-482) that a decoder did not recognise. Decoders keep them so a message
// re-encodes to the same bytes; encoders write them back in tag order among the known tags.

/** A tagged field kept as raw bytes: its tag number and its value's bytes (a view, not a copy). */
export interface TaggedField {
  tag: number
  data: Uint8Array
}
