/**
 * How fast an instance's residual basis learner takes residuals, which bounds how long a start-up's replay of the
 * residuals topic lasts (docs/configuration.md, model.neighbourhood):
 * java -cp target/streamrec.jar docs/experiments/BasisReplay.java RATINGS_FILE [ROUNDS]
 * Each round feeds a new learner every event of the file, in the file's order, with a random residual (the learner's
 * cost does not depend on the values), the bases computed on the way included; the topic's decoding is not.
 */
import io.streamrec.learn.ResidualBasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

public class BasisReplay {
    public static void main(String[] a) throws Exception {
        List<String[]> events = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            String[] f = line.split("\t");
            events.add(new String[] {f[0], f[1]});
        }
        int rounds = a.length > 1 ? Integer.parseInt(a[1]) : 5;
        for (int round = 0; round < rounds; round++) {
            ResidualBasis basis = new ResidualBasis(42);
            Random random = new Random(1);
            long start = System.nanoTime();
            for (String[] e : events) {
                basis.observe(e[0], e[1], random.nextGaussian());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "round %d: %,d residuals in %.2f s, %.2f us each, %.0f thousand per second, %d bases%n",
                    round, events.size(), seconds, seconds * 1e6 / events.size(), events.size() / seconds / 1e3,
                    basis.current().version() + 1);
        }
    }
}
