# Build: the Maven wrapper inside the JDK image, tests skipped (CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
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
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app streamrec
WORKDIR /app
COPY --from=build /src/target/streamrec.jar /app/streamrec.jar
USER streamrec
EXPOSE 8080
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# docker-compose.yml runs e.g. `java -jar streamrec.jar run --bootstrap-servers kafka:9092 --http-port 8080`.
CMD ["java", "-jar", "streamrec.jar", "--help"]
