package io.streamrec.cli;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import java.nio.file.Path;

/** Loading snapshots for fine-tuning. */
final class Snapshots {
    private Snapshots() {}

    /**
     * The snapshot's rows and global mean under the given training settings (a fresh optimizer state), so that
     * fine-tuning uses the online learning rate rather than the pretraining one.
     */
    static Model fineTune(Path snapshot, Hyperparameters hyper) {
        return Model.withHyper(ModelSnapshot.read(snapshot), hyper);
    }
}
