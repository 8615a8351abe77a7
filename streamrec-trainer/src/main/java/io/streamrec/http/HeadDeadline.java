package io.streamrec.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Closes a connection that has not delivered a complete request head within the deadline. The idle timeout
 * alone does not catch a client that trickles a byte every few seconds (slowloris); this does, for the first
 * request of each connection, which is where such clients sit.
 */
final class HeadDeadline implements Connection.Listener {
    private final ServerConnector connector;
    private final Duration deadline;

    HeadDeadline(ServerConnector connector, Duration deadline) {
        this.connector = connector;
        this.deadline = deadline;
    }

    @Override
    public void onOpened(Connection connection) {
        connector
                .getScheduler()
                .schedule(
                        () -> {
                            if (connection.getMessagesIn() == 0
                                    && connection.getEndPoint().isOpen()) {
                                connection.getEndPoint().close();
                            }
                        },
                        deadline.toMillis(),
                        TimeUnit.MILLISECONDS);
    }
}
