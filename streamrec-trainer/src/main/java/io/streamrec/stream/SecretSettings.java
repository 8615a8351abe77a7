package io.streamrec.stream;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Which settings keep their values out of {@code run --print-config}: any key Kafka declares as a password, under
 * any client prefix, and any key naming a password, secret, token, JAAS config or user info.
 */
final class SecretSettings {
    private SecretSettings() {}

    private static final Set<String> PASSWORDS = passwordKeys();

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        String bare = k;
        for (String prefix : new String[] {
            "main.consumer.", "restore.consumer.", "global.consumer.", "consumer.", "producer.", "admin."
        }) {
            if (k.startsWith(prefix)) {
                bare = k.substring(prefix.length());
                break;
            }
        }
        return PASSWORDS.contains(k)
                || PASSWORDS.contains(bare)
                || k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.endsWith("jaas.config")
                || k.endsWith("user.info");
    }

    private static Set<String> passwordKeys() {
        Set<String> keys = new HashSet<>();
        for (ConfigDef def : List.of(
                ProducerConfig.configDef(),
                ConsumerConfig.configDef(),
                AdminClientConfig.configDef(),
                StreamsConfig.configDef())) {
            def.configKeys().forEach((name, key) -> {
                if (key.type == ConfigDef.Type.PASSWORD) {
                    keys.add(name);
                }
            });
        }
        return Set.copyOf(keys);
    }
}
