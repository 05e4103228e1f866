import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { Metadata } from '@wirekit/core';

/**
 * Reads propagation headers (`traceparent`, `tracestate`, `baggage`) from a call's request metadata. Binary
 * (`-bin`) keys are skipped: the W3C formats are text.
 */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => carrier.keys().filter((key) => !key.endsWith('-bin')),
  get: (carrier, key) => {
    if (key.endsWith('-bin')) return undefined;
    const values = carrier.getAll(key);
    return values.length === 0 ? undefined : values;
  },
};

/** Writes propagation headers into outgoing metadata, replacing any the caller set. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => {
    carrier.set(key, value);
  },
};
