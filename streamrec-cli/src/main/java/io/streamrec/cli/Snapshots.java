package io.streamrec.cli;

import io.streamrec.learn.FismState;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import java.nio.file.Path;

/** Loading snapshots for fine-tuning. */
final class Snapshots {
    private Snapshots() {}

    /** A snapshot ready to fine-tune: its model, and a fism model's state (null for the other kinds). */
    record FineTuned(Model model, FismState fism) {}

    /**
     * The snapshot's rows and global mean under the given training settings (a fresh optimizer state), so that
     * fine-tuning uses the online learning rate rather than the pretraining one.
     */
    static Model fineTune(Path snapshot, Hyperparameters hyper) {
        return load(snapshot, hyper).model();
    }

    /** As {@link #fineTune}, with a fism model's state, whose item rows stay those of the model. */
    static FineTuned load(Path snapshot, Hyperparameters hyper) {
        ModelSnapshot.Contents c = ModelSnapshot.readContents(snapshot);
        return new FineTuned(Model.withHyper(c.model(), hyper), c.fism());
    }
}
