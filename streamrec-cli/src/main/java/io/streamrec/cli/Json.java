package io.streamrec.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON summary line that ends every command's stdout. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Rounds for readable output; NaN and infinities become null. */
    static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, Math.round(v * 1e6) / 1e6);
        } else {
            o.putNull(key);
        }
    }
}
