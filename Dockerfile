# Build: the Maven wrapper inside the JDK image, tests skipped (CI runs them).
# Tags pinned to a release, so a rebuild gets the same toolchain and runtime.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
# The reactor: module poms first, so the dependency layer is cached while only sources change.
COPY streamrec-model/pom.xml streamrec-model/
COPY streamrec-core/pom.xml streamrec-core/
COPY streamrec-client/pom.xml streamrec-client/
COPY streamrec-testkit/pom.xml streamrec-testkit/
COPY streamrec-trainer/pom.xml streamrec-trainer/
COPY streamrec-cli/pom.xml streamrec-cli/
RUN chmod +x mvnw && ./mvnw -B -q dependency:go-offline || true
COPY streamrec-model/src/ streamrec-model/src/
COPY streamrec-core/src/ streamrec-core/src/
COPY streamrec-client/src/ streamrec-client/src/
COPY streamrec-testkit/src/ streamrec-testkit/src/
COPY streamrec-trainer/src/ streamrec-trainer/src/
COPY streamrec-cli/src/ streamrec-cli/src/
RUN ./mvnw -B -DskipTests package

# Run: JRE only, non-root.
FROM eclipse-temurin:17.0.13_11-jre
RUN useradd --system --uid 10001 --home-dir /app streamrec
WORKDIR /app
COPY --from=build /src/target/streamrec.jar /app/streamrec.jar
USER streamrec
EXPOSE 8080
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# Arguments are a streamrec command line: `docker run streamrec:0.1.0-SNAPSHOT run --bootstrap-servers kafka:9092`.
# Exec form, so java is PID 1 and gets Docker's SIGTERM: the trainer then closes and leaves its group. The
# incubating Vector API module turns on the SIMD kernels of top-k and pretrain (README, "The client").
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-jar", "/app/streamrec.jar"]
CMD ["--help"]
