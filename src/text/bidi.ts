/** Unicode bidirectional embeddings, overrides and isolates: they make text show differently from what it is. */
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
