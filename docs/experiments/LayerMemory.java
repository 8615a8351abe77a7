/**
 * Heap per user of the residual neighbourhood: java -Xmx2g -cp target/streamrec.jar docs/experiments/LayerMemory.java USERS
 * [basis] (docs/benchmarks.md). With "basis", the basis learner's histories alone (what every instance keeps).
 */
import io.streamrec.learn.*;
import io.streamrec.model.ModelKind;
public class LayerMemory {
    public static void main(String[] a) throws Exception {
        int users = Integer.parseInt(a[0]);
        if (a.length > 1 && a[1].equals("basis")) {
            basisOnly(users);
            return;
        }
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF).withUserScale(true));
        ResidualBasis basis = new ResidualBasis(42);
        ResidualNeighbourhood layer = new ResidualNeighbourhood(model, basis::current, basis::observe);
        java.util.Random r = new java.util.Random(1);
        // a basis first, from a few users, so that histories fill
        for (int n = 0; n < 20000; n++) {
            String u = "w" + r.nextInt(500), i = "i" + r.nextInt(400);
            int ur = model.users().getOrCreate(u), ir = model.items().getOrCreate(i);
            layer.predict(u, ir);
            layer.learn(u, ur, i, ir, 3f, model.score(ur, ir));
        }
        System.gc(); Thread.sleep(200); System.gc();
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        long rowsBefore = model.users().size();
        for (int n = 0; n < users; n++) {
            String u = "u" + n;
            int ur = model.users().getOrCreate(u);
            for (int e = 0; e < 60; e++) {
                String i = "i" + r.nextInt(400);
                int ir = model.items().getOrCreate(i);
                layer.predict(u, ir);
                layer.learn(u, ur, i, ir, 3f, model.score(ur, ir));
            }
        }
        System.gc(); Thread.sleep(200); System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%d users with full histories: %.0f bytes per user (layer state plus the model's user rows)%n", users, (after - before) / (double) users);
        System.out.println(layer.users() + " " + basis.events());
    }

    static void basisOnly(int users) throws Exception {
        ResidualBasis basis = new ResidualBasis(42);
        java.util.Random r = new java.util.Random(1);
        for (int n = 0; n < 20000; n++) {
            basis.observe("w" + r.nextInt(500), "i" + r.nextInt(400), r.nextGaussian());
        }
        System.gc(); Thread.sleep(200); System.gc();
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int n = 0; n < users; n++) {
            String u = "u" + n;
            for (int e = 0; e < 60; e++) {
                basis.observe(u, "i" + r.nextInt(400), r.nextGaussian());
            }
        }
        System.gc(); Thread.sleep(200); System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%d users with full histories: %.0f bytes per user in the basis learner (%d kept)%n", users, (after - before) / (double) users, basis.users());
    }
}
