package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Writes and reads a {@link Model} as a compact, versioned binary file (JDK only), the output of {@code pretrain}
 * and the starting point of fine-tuning.
 *
 * <h2>Format, version 1</h2>
 * Everything is written with {@link DataOutputStream}: big-endian integers and IEEE 754 floats and doubles;
 * {@code UTF} is {@link DataOutputStream#writeUTF}'s form, a 2-byte unsigned length followed by that many bytes of
 * modified UTF-8. In order:
 * <pre>
 *  bytes  type     field
 *  8      byte[8]  magic: ASCII "STRMREC" then 0x1A (the last byte stops text tools early)
 *  4      int      format version, 1
 *  2+n    UTF      model kind id: "biased-mf" or "logistic-mf"
 *  4      int      factors k (a row holds k+1 floats: bias, then k factors)
 *  4      float    min label
 *  4      float    max label
 *  2+n    UTF      optimizer name: "sgd", "row-adagrad", "adagrad" or "adam"
 *  4      int      optimizer parameter count m, then m floats:
 *                    sgd none; row-adagrad and adagrad epsilon; adam beta1, beta2, epsilon
 *  2+n    UTF      learning-rate schedule: "constant" or "inverse-scaling"
 *  4      int      schedule parameter count m, then m doubles:
 *                    constant rate; inverse-scaling rate, power, scale
 *  8      double   L2 regularization of biases
 *  8      double   L2 regularization of factors
 *  8      double   clip norm (0 = off)
 *  8      double   init std
 *  8      long     init seed
 *  8      double   global mean: weighted label sum
 *  8      double   global mean: weight count
 *  8      long     events seen
 *  2+n    UTF      description (free text, at most 65535 bytes of modified UTF-8)
 *  then the user table, then the item table, each:
 *  4      int      row count n, then n rows, in row-number order, each:
 *  2+n    UTF        id
 *  4      int        version (optimizer steps the row took)
 *  8      long       updates (events that updated the row)
 *  4(k+1) float[]    bias, then the k factors
 *  4      int      CRC32 of every byte before it, from the magic on
 * </pre>
 * A snapshot of a 32-factor model with U users and I items takes about {@code 150 (U + I)} bytes plus the ids.
 * {@code row-adagrad} (the default since it was added) is a new name, not a new layout: the version stays 1, and a
 * build older than it refuses such a snapshot with {@code unknown optimizer "row-adagrad"}.
 *
 * <h2>Version 2: fism</h2>
 * A {@code fism} model is more than its rows: its user rows are {@code p_u = |N_u|^-alpha S_u}, built from each user's
 * history and the items' context vectors ({@link FismState}), and fine-tuning needs those to go on learning. Its
 * snapshot is version 2: version 1's fields, then before the checksum:
 * <pre>
 *  8      double   alpha
 *  4      int      context rows n (the item table's rows), then n rows of k floats, in item row order
 *  4      int      user count m, then m users, each:
 *  2+n    UTF        user id
 *  4      int        |N_u|: distinct items the sum took (the history's dropped ones included)
 *  4k     float[]    the sum S_u of their context vectors
 *  4      int        history length h (at most 1024), then h ints: item row numbers, oldest first
 * </pre>
 * Every other kind is written as version 1, which builds before version 2 read as before.
 *
 * <h2>Version 3: the user scale</h2>
 * A {@code biased-mf} model with the user scale ({@link Hyperparameters#userScale}): version 1's fields, each row's
 * floats one longer ({@code 4(k+2)}: bias, the k factors, then c_u in a user row or the copy of b_i in an item row).
 * Builds before it refuse it as an unsupported version rather than misread its rows.
 *
 * <h2>Why optimizer state is not stored</h2>
 * AdaGrad's squared-gradient sums and Adam's moments describe the trajectory of the run that wrote the snapshot,
 * not the model. Fine-tuning usually runs with other settings (another optimizer, rate or batch size), where old
 * sums would be meaningless or harmful: AdaGrad's sums after a long pretrain would shrink every fine-tuning step to
 * almost nothing, and the model could no longer follow the stream. So a loaded model starts a fresh optimizer
 * state for every row, and {@link Model#withHyper} lets it train under new hyper-parameters. Row versions and
 * update counts are kept, so downstream readers see versions keep increasing.
 *
 * <h2>Errors</h2>
 * Reading a file that is not a snapshot, of another version, cut short or damaged throws {@link SnapshotException}
 * whose message names the file and the problem ({@code bad magic}, {@code unsupported snapshot version},
 * {@code truncated}, {@code checksum mismatch}, {@code corrupt}). Writing goes to a temporary file that is moved
 * into place only when complete, so a crash never leaves a half-written snapshot under the target name.
 */
public final class ModelSnapshot {

    /** The 8 magic bytes that start every snapshot. */
    static final byte[] MAGIC = {'S', 'T', 'R', 'M', 'R', 'E', 'C', 0x1A};

    /** The newest format version this build writes and reads (version 1 too: every kind but fism). */
    public static final int VERSION = 2;

    /** The version of every kind but fism, which carries no state beside its rows. */
    private static final int ROWS_ONLY = 1;
    /** Version 1's layout for a model with the user scale: its rows hold one more float. */
    private static final int USER_SCALE = 3;

    /** What a snapshot holds: the model, and for a fism model its {@link FismState} (null for the other kinds). */
    public record Contents(Model model, FismState fism) {}

    private static final String CONSTANT = "constant";
    private static final String INVERSE_SCALING = "inverse-scaling";

    private ModelSnapshot() {}

    /** Writes {@code model} to {@code file}, replacing it atomically where the file system allows. */
    public static void write(Model model, Path file, String description) {
        write(model, null, file, description);
    }

    /**
     * Writes {@code model} with a fism model's state ({@code fism}: required for a fism model, null for the others)
     * to {@code file}, replacing it atomically where the file system allows.
     */
    public static void write(Model model, FismState fism, Path file, String description) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(model, fism, out, description);
            }
            // A temp file is created owner-only (0600); a snapshot is meant to be read by other users too (the
            // container's user reading a file pretrained on the host), as an ordinary file would be.
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(
                        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new SnapshotException("cannot write snapshot " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; that error is the one to report.
                }
            }
        }
    }

    /**
     * Writes {@code model} to {@code out} (which stays open).
     *
     * @throws IllegalArgumentException when the description is too long or the optimizer or schedule is not one
     *                                  of the built-in ones the format can name
     */
    public static void write(Model model, OutputStream out, String description) throws IOException {
        write(model, null, out, description);
    }

    /**
     * Writes {@code model} and a fism model's state to {@code out} (which stays open).
     *
     * @throws IllegalArgumentException also when {@code fism} is missing for a fism model, or given for another
     */
    public static void write(Model model, FismState fism, OutputStream out, String description) throws IOException {
        boolean isFism = model.hyper().kind() == ModelKind.FISM;
        if (isFism != (fism != null)) {
            throw new IllegalArgumentException(
                    isFism
                            ? "a fism model's snapshot needs its state (context vectors, users' sums and histories)"
                            : "only a fism model has a FismState to write, not "
                                    + model.hyper().kind().id());
        }
        if (fism != null) {
            fism.checkFits(model.hyper());
        }
        String desc = description == null ? "" : description;
        if (modifiedUtf8Length(desc) > 65535) {
            throw new IllegalArgumentException("snapshot description must be at most 65535 bytes, got "
                    + desc.getBytes(StandardCharsets.UTF_8).length);
        }
        Hyperparameters h = model.hyper();
        float[] optimizerParams = optimizerParams(h.optimizer());
        CRC32 crc = new CRC32();
        DataOutputStream data =
                new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), crc));
        data.write(MAGIC);
        data.writeInt(fism != null ? VERSION : h.userScale() ? USER_SCALE : ROWS_ONLY);
        data.writeUTF(h.kind().id());
        data.writeInt(h.factors());
        data.writeFloat(h.minLabel());
        data.writeFloat(h.maxLabel());
        data.writeUTF(h.optimizer().name());
        data.writeInt(optimizerParams.length);
        for (float v : optimizerParams) {
            data.writeFloat(v);
        }
        writeSchedule(data, h.schedule());
        data.writeDouble(h.regBias());
        data.writeDouble(h.regFactor());
        data.writeDouble(h.clipNorm());
        data.writeDouble(h.initStd());
        data.writeLong(h.seed());
        data.writeDouble(model.mean().sum());
        data.writeDouble(model.mean().count());
        data.writeLong(model.eventsSeen());
        data.writeUTF(desc);
        writeTable(data, model.users());
        writeTable(data, model.items());
        if (fism != null) {
            writeFism(data, fism, model.items());
        }
        data.flush();
        // The checksum itself goes around the checked stream.
        DataOutputStream tail = new DataOutputStream(out);
        tail.writeInt((int) crc.getValue());
        tail.flush();
    }

    /** Reads the model in {@code file} (for a fism model, {@link #readContents} gives its state too). */
    public static Model read(Path file) {
        return readContents(file).model();
    }

    /** Reads the model in {@code file}, and a fism model's state. */
    public static Contents readContents(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            Contents contents = readContents(buffered, file.toString());
            if (buffered.read() != -1) {
                throw new SnapshotException("corrupt snapshot " + file + ": unexpected bytes after the checksum");
            }
            return contents;
        } catch (NoSuchFileException e) {
            throw new SnapshotException("snapshot " + file + " does not exist", e);
        } catch (IOException e) {
            throw new SnapshotException("cannot read snapshot " + file + ": " + e, e);
        }
    }

    /**
     * Reads one snapshot from {@code in}, leaving the stream just after its checksum.
     *
     * @param source names the stream in error messages (a file name, a topic)
     */
    public static Model read(InputStream in, String source) {
        return readContents(in, source).model();
    }

    /** Reads one snapshot and a fism model's state from {@code in}, leaving the stream just after its checksum. */
    public static Contents readContents(InputStream in, String source) {
        CRC32 crc = new CRC32();
        DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        try {
            byte[] magic = new byte[MAGIC.length];
            int got = data.readNBytes(magic, 0, magic.length);
            if (got < magic.length || !Arrays.equals(magic, MAGIC)) {
                throw new SnapshotException(source + " is not a streamrec snapshot (bad magic)");
            }
            int version = checkVersion(data.readInt(), source);
            Model model = readBody(data, source, version == USER_SCALE);
            boolean isFism = model.hyper().kind() == ModelKind.FISM;
            if (isFism != (version == VERSION)) {
                throw new SnapshotException("corrupt snapshot " + source + ": a "
                        + model.hyper().kind().id() + " model in a version " + version + " snapshot");
            }
            FismState fism = isFism ? readFism(data, model, source) : null;
            int expected = (int) crc.getValue();
            int stored = new DataInputStream(in).readInt();
            if (stored != expected) {
                throw new SnapshotException(String.format(
                        "corrupt snapshot %s: checksum mismatch (stored %08x, computed %08x)",
                        source, stored, expected));
            }
            return new Contents(model, fism);
        } catch (EOFException e) {
            throw new SnapshotException("snapshot " + source + " is truncated", e);
        } catch (UTFDataFormatException e) {
            throw new SnapshotException("corrupt snapshot " + source + ": malformed text", e);
        } catch (IOException e) {
            throw new SnapshotException("cannot read snapshot " + source + ": " + e, e);
        }
    }

    private static int checkVersion(int version, String source) {
        if (version != ROWS_ONLY && version != VERSION && version != USER_SCALE) {
            throw new SnapshotException(source + ": unsupported snapshot version " + version + " (this build reads "
                    + ROWS_ONLY + ", " + VERSION + " and " + USER_SCALE + ")");
        }
        return version;
    }

    private static void writeFism(DataOutputStream data, FismState fism, FactorTable items) throws IOException {
        int width = fism.width();
        data.writeDouble(fism.alpha());
        fism.ensureContext(items.size(), items);
        data.writeInt(items.size());
        for (int r = 0; r < items.size(); r++) {
            float[] y = fism.context(r);
            for (int f = 1; f < width; f++) {
                data.writeFloat(y[f]);
            }
        }
        data.writeInt(fism.userMap().size());
        for (var e : fism.userMap().entrySet()) {
            FismState.User u = e.getValue();
            data.writeUTF(e.getKey());
            data.writeInt(u.count);
            for (int f = 1; f < width; f++) {
                data.writeFloat(u.sum[f]);
            }
            data.writeInt(u.size);
            for (int h = 0; h < u.size; h++) {
                data.writeInt(u.items[h]);
            }
        }
    }

    private static FismState readFism(DataInputStream data, Model model, String source) throws IOException {
        double alpha = data.readDouble();
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new SnapshotException("corrupt snapshot " + source + ": fism alpha " + alpha + " (expected 0..1)");
        }
        FismState fism = new FismState(model.hyper(), alpha);
        FactorTable items = model.items();
        int width = fism.width();
        int rows = data.readInt();
        if (rows != items.size()) {
            throw new SnapshotException(
                    "corrupt snapshot " + source + ": " + rows + " fism context rows for " + items.size() + " items");
        }
        float[] y = new float[width];
        for (int r = 0; r < rows; r++) {
            for (int f = 1; f < width; f++) {
                y[f] = data.readFloat();
            }
            fism.setContext(r, y, items);
        }
        int users = data.readInt();
        if (users < 0) {
            throw new SnapshotException("corrupt snapshot " + source + ": negative fism user count " + users);
        }
        float[] sum = new float[width];
        for (int u = 0; u < users; u++) {
            String id = data.readUTF();
            int count = data.readInt();
            for (int f = 1; f < width; f++) {
                sum[f] = data.readFloat();
            }
            int size = data.readInt();
            if (size < 0 || size > FismState.MAX_HISTORY || count < size) {
                throw new SnapshotException("corrupt snapshot " + source + ": fism user \"" + id
                        + "\" has a history of " + size + " items and a count of " + count);
            }
            int[] history = new int[size];
            for (int h = 0; h < size; h++) {
                history[h] = data.readInt();
                if (history[h] < 0 || history[h] >= items.size()) {
                    throw new SnapshotException("corrupt snapshot " + source + ": fism user \"" + id
                            + "\" has item row " + history[h] + " of " + items.size());
                }
            }
            if (fism.find(id) != null) {
                throw new SnapshotException("corrupt snapshot " + source + ": fism user \"" + id + "\" occurs twice");
            }
            fism.restore(id, count, sum, history);
        }
        return fism;
    }

    private static Model readBody(DataInputStream data, String source, boolean userScale) throws IOException {
        Hyperparameters hyper;
        try {
            ModelKind kind = ModelKind.parse(data.readUTF());
            int factors = data.readInt();
            float minLabel = data.readFloat();
            float maxLabel = data.readFloat();
            String optimizerName = data.readUTF();
            float[] optimizerParams = new float[count(data.readInt(), 3, "optimizer parameters", source)];
            for (int j = 0; j < optimizerParams.length; j++) {
                optimizerParams[j] = data.readFloat();
            }
            Optimizer optimizer = optimizer(optimizerName, optimizerParams);
            String scheduleName = data.readUTF();
            double[] scheduleParams = new double[count(data.readInt(), 3, "schedule parameters", source)];
            for (int j = 0; j < scheduleParams.length; j++) {
                scheduleParams[j] = data.readDouble();
            }
            LearningRateSchedule schedule = schedule(scheduleName, scheduleParams);
            double regBias = data.readDouble();
            double regFactor = data.readDouble();
            double clipNorm = data.readDouble();
            double initStd = data.readDouble();
            long seed = data.readLong();
            hyper = new Hyperparameters(
                    kind, factors, initStd, seed, optimizer, schedule, regBias, regFactor, clipNorm, minLabel, maxLabel,
                    userScale);
        } catch (IllegalArgumentException e) {
            throw new SnapshotException("corrupt snapshot " + source + ": " + e.getMessage(), e);
        }
        double meanSum = data.readDouble();
        double meanCount = data.readDouble();
        long eventsSeen = data.readLong();
        data.readUTF(); // the description, for people and `inspect`; see description(Path)
        Model model = new Model(hyper, new GlobalMean(meanSum, meanCount), eventsSeen);
        readTable(data, model.users(), source);
        readTable(data, model.items(), source);
        return model;
    }

    /** The description stored in {@code file}, read without loading the rows. */
    public static String description(Path file) {
        try (DataInputStream data = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length];
            if (data.readNBytes(magic, 0, magic.length) < magic.length || !Arrays.equals(magic, MAGIC)) {
                throw new SnapshotException(file + " is not a streamrec snapshot (bad magic)");
            }
            checkVersion(data.readInt(), file.toString());
            data.readUTF();
            data.skipNBytes(12);
            data.readUTF();
            data.skipNBytes(4L * data.readInt());
            data.readUTF();
            data.skipNBytes(8L * data.readInt());
            data.skipNBytes(5 * 8 + 3 * 8);
            return data.readUTF();
        } catch (EOFException e) {
            throw new SnapshotException("snapshot " + file + " is truncated", e);
        } catch (IOException e) {
            throw new SnapshotException("cannot read snapshot " + file + ": " + e, e);
        }
    }

    private static void writeTable(DataOutputStream data, FactorTable table) throws IOException {
        int width = table.width();
        float[] params = table.params();
        data.writeInt(table.size());
        for (int r = 0; r < table.size(); r++) {
            data.writeUTF(table.id(r));
            data.writeInt(table.version(r));
            data.writeLong(table.updates(r));
            for (int j = r * width; j < (r + 1) * width; j++) {
                data.writeFloat(params[j]);
            }
        }
    }

    private static void readTable(DataInputStream data, FactorTable table, String source) throws IOException {
        int n = data.readInt();
        if (n < 0) {
            throw new SnapshotException(
                    "corrupt snapshot " + source + ": negative " + table.kind().prefix() + " row count " + n);
        }
        float[] row = new float[table.width()];
        for (int r = 0; r < n; r++) {
            String id = data.readUTF();
            int version = data.readInt();
            long updates = data.readLong();
            for (int j = 0; j < row.length; j++) {
                row[j] = data.readFloat();
            }
            if (table.indexOf(id) >= 0) {
                throw new SnapshotException("corrupt snapshot " + source + ": "
                        + table.kind().prefix() + " id \"" + id + "\" occurs twice");
            }
            table.put(id, row, 0, null, 0, version, updates);
        }
    }

    private static int count(int n, int max, String what, String source) {
        if (n < 0 || n > max) {
            throw new SnapshotException(
                    "corrupt snapshot " + source + ": " + n + " " + what + " (expected 0.." + max + ")");
        }
        return n;
    }

    private static float[] optimizerParams(Optimizer o) {
        if (o instanceof Optimizer.Sgd) {
            return new float[0];
        }
        if (o instanceof Optimizer.AdaGrad a) {
            return new float[] {a.epsilon()};
        }
        if (o instanceof Optimizer.RowAdaGrad a) {
            return new float[] {a.epsilon()};
        }
        if (o instanceof Optimizer.Adam a) {
            return new float[] {a.beta1(), a.beta2(), a.epsilon()};
        }
        throw new IllegalArgumentException(
                "snapshots can store the sgd, row-adagrad, adagrad and adam optimizers, got " + o);
    }

    private static Optimizer optimizer(String name, float[] p) {
        switch (name) {
            case "sgd":
                expect(p.length, 0, name);
                return new Optimizer.Sgd();
            case "adagrad":
                expect(p.length, 1, name);
                return new Optimizer.AdaGrad(p[0]);
            case "row-adagrad":
                expect(p.length, 1, name);
                return new Optimizer.RowAdaGrad(p[0]);
            case "adam":
                expect(p.length, 3, name);
                return new Optimizer.Adam(p[0], p[1], p[2]);
            default:
                throw new IllegalArgumentException("unknown optimizer \"" + name + "\"");
        }
    }

    private static void writeSchedule(DataOutputStream data, LearningRateSchedule s) throws IOException {
        double[] p;
        String name;
        if (s instanceof LearningRateSchedule.Constant c) {
            name = CONSTANT;
            p = new double[] {c.initialRate()};
        } else if (s instanceof LearningRateSchedule.InverseScaling i) {
            name = INVERSE_SCALING;
            p = new double[] {i.initialRate(), i.power(), i.scale()};
        } else {
            throw new IllegalArgumentException(
                    "snapshots can store the constant and inverse-scaling schedules, got " + s);
        }
        data.writeUTF(name);
        data.writeInt(p.length);
        for (double v : p) {
            data.writeDouble(v);
        }
    }

    private static LearningRateSchedule schedule(String name, double[] p) {
        switch (name) {
            case CONSTANT:
                expect(p.length, 1, name);
                return new LearningRateSchedule.Constant(p[0]);
            case INVERSE_SCALING:
                expect(p.length, 3, name);
                return new LearningRateSchedule.InverseScaling(p[0], p[1], p[2]);
            default:
                throw new IllegalArgumentException("unknown learning-rate schedule \"" + name + "\"");
        }
    }

    private static void expect(int got, int expected, String what) {
        if (got != expected) {
            throw new IllegalArgumentException(what + " takes " + expected + " parameters, got " + got);
        }
    }

    private static long modifiedUtf8Length(String s) {
        long n = 0;
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            n += (c >= 1 && c <= 0x7f) ? 1 : (c <= 0x7ff ? 2 : 3);
        }
        return n;
    }
}
