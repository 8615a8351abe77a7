package io.streamrec.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Loads the SIMD kernels that live in a module's {@code src/main/vector} folder (top-k's first stage here, the SGD
 * step in streamrec-core). They use the incubating Vector API, which is in the JVM only when it was started with
 * {@code --add-modules jdk.incubator.vector}; the rest of the code never names the API and gets a kernel through
 * this class, by name, so that no class of the module is loaded when it is absent.
 */
public final class VectorKernels {
    private VectorKernels() {}

    /**
     * The kernel that the named class's static {@code createIfFast()} returns, or null when the module is absent,
     * the kernel declines (the CPU's vectors are too narrow) or the class cannot be loaded.
     *
     * @param caller {@code MethodHandles.lookup()} in the kernel's package, whose package-private members it reads
     */
    public static <T> T load(MethodHandles.Lookup caller, String className, Class<T> type) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            Class<?> kernel = caller.findClass(className);
            Object created = caller.findStatic(kernel, "createIfFast", MethodType.methodType(type))
                    .invoke();
            return type.cast(created);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("SIMD kernel " + className + " failed to start", e);
        }
    }
}
