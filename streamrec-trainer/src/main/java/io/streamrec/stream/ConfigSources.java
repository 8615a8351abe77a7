package io.streamrec.stream;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link TrainerConfig}'s settings come from, in rising precedence: defaults, a properties file, environment
 * variables {@code STREAMREC_*} ({@code STREAMREC_TRAIN_BATCH_SIZE} sets {@code train.batch.size}), flags. Renamed
 * keys are taken under their new name, with a warning.
 */
final class ConfigSources {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerConfig.class);
    private static final String ENV_PREFIX = "STREAMREC_";

    /** Old names that still work for one release, with a warning naming the new key. */
    private static final Map<String, String> RENAMED = Map.of("batch.size", TrainerConfig.BATCH_SIZE);

    private ConfigSources() {}

    /** {@code defaults}, then the file, the environment and the flags over them; any source may be null. */
    static Map<String, String> merge(
            Map<String, String> defaults, Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> v = new LinkedHashMap<>(defaults);
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> put(v, k, p.getProperty(k).trim()));
        }
        if (env != null) {
            env.forEach((k, val) -> {
                if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
                    put(
                            v,
                            k.substring(ENV_PREFIX.length())
                                    .toLowerCase(Locale.ROOT)
                                    .replace('_', '.'),
                            val);
                }
            });
        }
        if (flags != null) {
            flags.forEach((k, val) -> {
                if (val != null) {
                    put(v, k, val);
                }
            });
        }
        return v;
    }

    /** Sets {@code key}, or the new name of a renamed key, with a warning that names the new one. */
    static void put(Map<String, String> v, String key, String value) {
        String renamed = RENAMED.get(key);
        if (renamed != null) {
            LOG.warn(
                    "setting '{}' is deprecated and will be removed in the next release: use '{}' (the old name is "
                            + "also a Kafka producer setting)",
                    key,
                    renamed);
            v.put(renamed, value);
        } else {
            v.put(key, value);
        }
    }
}
