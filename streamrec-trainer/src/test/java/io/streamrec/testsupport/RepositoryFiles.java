package io.streamrec.testsupport;

import java.nio.file.Path;

/**
 * Files at the repository root (grafana/, prometheus/, docker-compose.yml): tests run in their module's directory,
 * so the root comes from the system property {@code streamrec.root} that the build sets.
 */
public final class RepositoryFiles {

    public static final String PROPERTY = "streamrec.root";

    private RepositoryFiles() {}

    /** The repository root: the property, else the parent of the working directory (a module directory). */
    public static Path root() {
        String root = System.getProperty(PROPERTY);
        return root == null || root.isBlank() ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
    }

    public static Path resolve(String first, String... more) {
        return root().resolve(Path.of(first, more));
    }
}
