package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.model.ModelKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModelSnapshotTest {

    @TempDir
    Path dir;

    static Stream<Hyperparameters> hypers() {
        Hyperparameters biased = Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(4);
        return Stream.of(
                biased,
                biased.withOptimizer(new Optimizer.Sgd())
                        .withSchedule(new LearningRateSchedule.InverseScaling(0.05, 0.5, 1000))
                        .withClipNorm(0)
                        .withInit(0.1, -7)
                        .withLabelRange(0.5f, 10f),
                biased.withOptimizer(new Optimizer.Adam(0.8f, 0.99f, 1e-6f)).withRegularization(0.01, 0.2),
                // Per-coordinate AdaGrad, the default of snapshots written before row-adagrad: still read as such.
                biased.withOptimizer(new Optimizer.AdaGrad(0.5f)),
                // With the user scale: version 3, rows one float longer.
                biased.withUserScale(true),
                Hyperparameters.defaults(ModelKind.LOGISTIC_MF).withFactors(3));
    }

    /** A small trained model, so rows have non-trivial values, versions and update counts. */
    private static Model trained(Hyperparameters h) {
        SyntheticRatings.Spec spec = h.kind() == ModelKind.LOGISTIC_MF
                ? SyntheticRatings.Spec.binary(40, 30, 3, 5)
                : SyntheticRatings.Spec.explicit(40, 30, 3, 5);
        MiniBatchLearner learner = new MiniBatchLearner(new Model(h), 8);
        for (Rating r : new SyntheticRatings(spec).take(2000)) {
            learner.learn(r);
        }
        learner.learn(new Rating("üser ☃", "item with spaces", h.maxLabel(), 0L));
        learner.flush();
        return learner.model();
    }

    @ParameterizedTest
    @MethodSource("hypers")
    void shouldRoundTripEveryRowTheMeanAndTheHyperparameters(Hyperparameters h) {
        Model model = trained(h);
        Path file = dir.resolve("model.snap");

        ModelSnapshot.write(model, file, "round trip ☃");
        Model back = ModelSnapshot.read(file);

        assertEquals(h, back.hyper());
        assertEquals(model.mean().sum(), back.mean().sum(), 0.0);
        assertEquals(model.mean().count(), back.mean().count(), 0.0);
        assertEquals(model.eventsSeen(), back.eventsSeen());
        assertSameRows(model.users(), back.users());
        assertSameRows(model.items(), back.items());
        assertEquals("round trip ☃", ModelSnapshot.description(file));
        assertEquals(model.predict("u1", "i2"), back.predict("u1", "i2"), 0.0);
    }

    @Test
    void shouldStartAFreshOptimizerStateOnRead() {
        Model model = trained(Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(4));
        assertTrue(max(model.users().state()) > 0, "AdaGrad accumulated some state while training");
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(model, file, "");

        Model back = ModelSnapshot.read(file);

        assertEquals(0f, max(back.users().state()));
        assertEquals(0f, max(back.items().state()));
    }

    @Test
    void shouldRoundTripThroughStreams() throws IOException {
        Model model = trained(Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(2));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSnapshot.write(model, out, "stream");
        out.write(new byte[] {1, 2, 3}); // whatever follows in the stream is not the snapshot's business
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());

        Model back = ModelSnapshot.read(in, "memory");

        assertSameRows(model.users(), back.users());
        assertEquals(3, in.available(), "the reader stops right after the checksum");
    }

    @Test
    void shouldStartWithTheDocumentedHeader() throws IOException {
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)), file, "");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));

        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals("STRMREC\u001a", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt());
        assertEquals("biased-mf".length(), b.getShort());
    }

    @Test
    void shouldReportAChecksumMismatchForAFlippedByte() throws IOException {
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(
                trained(Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(4)), file, "");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 10] ^= 0x01; // inside the last row's factors
        Files.write(file, bytes);

        SnapshotException e = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));

        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void shouldReportATruncatedFile() throws IOException {
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(
                trained(Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(4)), file, "");
        byte[] bytes = Files.readAllBytes(file);
        for (int cut : new int[] {bytes.length - 1, bytes.length - 4, bytes.length / 2, 13}) {
            Files.write(file, Arrays.copyOf(bytes, cut));

            SnapshotException e = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));

            assertTrue(e.getMessage().contains("truncated"), "cut at " + cut + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void shouldRejectAForeignFile() throws IOException {
        Path file = dir.resolve("u.data");
        Files.writeString(file, "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");

        SnapshotException e = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));

        assertEquals(file + " is not a streamrec snapshot (bad magic)", e.getMessage());
        Files.write(file, new byte[] {'S', 'T'});
        assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file), "shorter than the magic");
    }

    @Test
    void shouldRejectAnotherFormatVersion() throws IOException {
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)), file, "");
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(8, 7);
        Files.write(file, bytes);

        SnapshotException e = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));

        assertEquals(file + ": unsupported snapshot version 7 (this build reads 1, 2 and 3)", e.getMessage());
    }

    @Test
    void shouldRejectTrailingBytesInAFile() throws IOException {
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)), file, "");
        Files.write(file, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);

        SnapshotException e = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));

        assertTrue(e.getMessage().contains("after the checksum"), e.getMessage());
    }

    @Test
    void shouldNameAMissingFile() {
        Path file = dir.resolve("nope.snap");
        SnapshotException e = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));
        assertEquals("snapshot " + file + " does not exist", e.getMessage());
    }

    @Test
    void shouldReplaceAnExistingSnapshotAndLeaveNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("model.snap");
        ModelSnapshot.write(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)), file, "first");
        ModelSnapshot.write(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)), file, "second");

        assertEquals("second", ModelSnapshot.description(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void shouldFineTuneWithNewHyperparametersKeepingRowsMeanAndEvents() {
        Model model = trained(Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(4));
        Hyperparameters tuning =
                model.hyper().withOptimizer(new Optimizer.Sgd()).withSchedule(new LearningRateSchedule.Constant(0.01));

        Model copy = Model.withHyper(model, tuning);

        assertEquals(tuning, copy.hyper());
        assertSameRows(model.users(), copy.users());
        assertSameRows(model.items(), copy.items());
        assertEquals(model.mean().sum(), copy.mean().sum(), 0.0);
        assertEquals(model.mean().count(), copy.mean().count(), 0.0);
        assertEquals(model.eventsSeen(), copy.eventsSeen());
        assertEquals(0, copy.users().stateSize(), "SGD keeps no state");
        // The copy is independent: training it leaves the source alone.
        float before = model.users().bias(0);
        MiniBatchLearner learner = new MiniBatchLearner(copy, 1);
        learner.learn(new Rating(copy.users().id(0), copy.items().id(0), 5f, 0L));
        assertEquals(before, model.users().bias(0));
    }

    @Test
    void shouldRefuseToFineTuneWithAnotherShape() {
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));

        IllegalArgumentException factors = assertThrows(
                IllegalArgumentException.class,
                () -> Model.withHyper(model, model.hyper().withFactors(8)));
        IllegalArgumentException kind = assertThrows(
                IllegalArgumentException.class,
                () -> Model.withHyper(model, Hyperparameters.defaults(ModelKind.LOGISTIC_MF)));

        assertEquals(
                "cannot train a model of 32 factors with 8 factors: the number of factors must stay the same",
                factors.getMessage());
        assertEquals(
                "cannot train a biased-mf model as logistic-mf: the model kind must stay the same", kind.getMessage());
    }

    static void assertSameRows(FactorTable expected, FactorTable actual) {
        assertEquals(expected.size(), actual.size(), expected.kind() + " rows");
        int w = expected.width();
        for (int r = 0; r < expected.size(); r++) {
            String id = expected.id(r);
            assertEquals(id, actual.id(r), "row numbers are kept");
            assertArrayEquals(
                    Arrays.copyOfRange(expected.params(), r * w, (r + 1) * w),
                    Arrays.copyOfRange(actual.params(), r * w, (r + 1) * w),
                    id);
            assertEquals(expected.version(r), actual.version(r), id);
            assertEquals(expected.updates(r), actual.updates(r), id);
        }
    }

    private static float max(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void shouldWriteASnapshotOthersCanRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("m.srm");
        ModelSnapshot.write(new Model(Hyperparameters.defaults(io.streamrec.model.ModelKind.BIASED_MF)), file, "perm");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.getFileStore(file).supportsFileAttributeView("posix"),
                "no POSIX permissions on this file system");
        assertEquals(
                "rw-r--r--",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(file)),
                "not owner-only, as a temp file would be");
    }

    /** A fism model trained on a few thousand positives, with its state. */
    private static FismLearner trainedFism(int events) {
        FismLearner learner = new FismLearner(
                new Model(Hyperparameters.defaults(ModelKind.FISM).withFactors(4)), 5, 0.5);
        Model m = learner.model();
        for (Rating r : new SyntheticRatings(SyntheticRatings.Spec.explicit(40, 30, 3, 5)).take(events)) {
            learner.learn(m.users().getOrCreate(r.user()), m.items().getOrCreate(r.item()), 1f, 1f, r.timestamp());
        }
        return learner;
    }

    @Test
    void shouldKeepAFismModelsStateSoThatFineTuningGoesOnAsFromMemory() throws IOException {
        FismLearner original = trainedFism(3000);
        Path file = dir.resolve("fism.srm");
        ModelSnapshot.write(original.model(), original.state(), file, "fism");
        assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(file), 8, 4).getInt(), "fism is written as version 2");
        ModelSnapshot.Contents back = ModelSnapshot.readContents(file);
        assertSameRows(original.model().users(), back.model().users());
        assertSameRows(original.model().items(), back.model().items());
        assertEquals(original.state().users(), back.fism().users());
        assertEquals(0.5, back.fism().alpha());

        // Both go on from the same state with fresh samplers (same seed): every row must stay bit-identical, which
        // fails if a context vector, a sum, a count or a history item was lost on the way.
        FismLearner fromMemory = new FismLearner(original.model(), 5, original.state());
        FismLearner fromFile = new FismLearner(back.model(), 5, back.fism());
        for (Rating r : new SyntheticRatings(SyntheticRatings.Spec.explicit(40, 30, 3, 6)).take(1000)) {
            for (FismLearner l : new FismLearner[] {fromMemory, fromFile}) {
                Model m = l.model();
                l.learn(m.users().getOrCreate(r.user()), m.items().getOrCreate(r.item()), 1f, 1f, r.timestamp());
            }
        }
        assertSameRows(fromMemory.model().users(), fromFile.model().users());
        assertSameRows(fromMemory.model().items(), fromFile.model().items());
        for (int i = 0; i < fromMemory.model().items().size(); i++) {
            assertArrayEquals(fromMemory.context(i), fromFile.context(i), "context vector of item row " + i);
        }
    }

    @Test
    void shouldWriteEveryOtherKindAsVersionOne() throws IOException {
        Path file = dir.resolve("mf.srm");
        ModelSnapshot.write(
                trained(Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(3)), file, "mf");
        assertEquals(1, ByteBuffer.wrap(Files.readAllBytes(file), 8, 4).getInt(), "older builds read version 1");
        assertEquals(null, ModelSnapshot.readContents(file).fism());
    }

    @Test
    void shouldRefuseAFismModelWithoutItsStateAndAFismStateInVersionOne() throws IOException {
        FismLearner l = trainedFism(200);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ModelSnapshot.write(l.model(), dir.resolve("x.srm"), "x"));
        assertTrue(e.getMessage().contains("needs its state"), e.getMessage());
        Path file = dir.resolve("fism.srm");
        ModelSnapshot.write(l.model(), l.state(), file, "fism");
        byte[] bytes = Files.readAllBytes(file);
        bytes[11] = 1; // the version's last byte
        Files.write(file, bytes);
        SnapshotException s = assertThrows(SnapshotException.class, () -> ModelSnapshot.read(file));
        assertTrue(s.getMessage().contains("a fism model in a version 1 snapshot"), s.getMessage());
    }
}
