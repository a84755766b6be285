package dev.casq.it.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a release would publish, checked where {@code mvn verify} installs it ({@code
 * target/casq-repo}, the layout of a Maven repository): every module with main code is there with
 * its jar, sources jar and javadoc jar; each POM carries the metadata Maven Central requires (name,
 * description, url, licence, developers, scm) and nothing of the build (no parent, no dependency
 * management, no BOM imports); every jar carries the licence and its own Automatic-Module-Name; and
 * {@code casq-bom} lists exactly the published modules, at the parent's version.
 */
class ReleaseArtifactsTest {
  private static Path root;
  private static Path repo;
  private static String version;
  private static List<String> published;

  @BeforeAll
  static void locate() throws Exception {
    root = ReadmeExamples.root();
    repo = root.resolve("target/casq-repo/dev/casq");
    Element parent = read(root.resolve("pom.xml")).getDocumentElement();
    version = text(parent, "version");
    published = new ArrayList<>();
    for (Element m : children(child(parent, "modules"), "module")) {
      String name = m.getTextContent().trim();
      if (Files.isDirectory(root.resolve(name).resolve("src/main/java"))) {
        published.add(name);
      }
    }
  }

  /** Skips unless this build's artifacts were installed ({@code mvn verify} does it). */
  private static void requireInstalled() throws IOException {
    Path installed = jar("queue-core", "");
    Path built = root.resolve("queue-core/target/queue-core-" + version + ".jar");
    assumeTrue(
        Files.isRegularFile(installed)
            && Files.isRegularFile(built)
            && Files.mismatch(installed, built) == -1,
        "the artifacts in target/casq-repo are not those of this build: mvn verify installs them");
  }

  @Test
  void everyModuleWithCodeIsPublishedWithSourcesAndJavadoc() throws Exception {
    requireInstalled();
    assertThat(published)
        .contains(
            "casq-api",
            "queue-core",
            "casq-micrometer",
            "queue-client",
            "queue-broker",
            "queue-cli",
            "storage-spi",
            "storage-localfile",
            "storage-s3",
            "storage-gcs",
            "casq-spring-boot-starter");
    // the samples are built and tested, never published
    assertThat(published).noneMatch(m -> m.startsWith("samples"));
    assertThat(repo.resolve("spring-boot-sample")).doesNotExist();
    assertThat(repo.resolve("casq-samples")).doesNotExist();
    for (String m : published) {
      for (String classifier : List.of("", "-sources", "-javadoc")) {
        assertThat(jar(m, classifier)).as(m + classifier).isRegularFile();
      }
      try (JarFile javadoc = new JarFile(jar(m, "-javadoc").toFile())) {
        assertThat(javadoc.getEntry("index.html")).as(m + " javadoc index").isNotNull();
      }
    }
  }

  @Test
  void everyPomCarriesTheMetadataCentralRequiresAndNothingOfTheBuild() throws Exception {
    requireInstalled();
    for (String m : published) {
      Element pom = read(pom(m)).getDocumentElement();
      String where = m + ".pom";
      assertThat(text(pom, "groupId")).as(where).isEqualTo("dev.casq");
      assertThat(text(pom, "artifactId")).as(where).isEqualTo(m);
      assertThat(text(pom, "version")).as(where).isEqualTo(version);
      assertThat(text(pom, "name")).as(where + " name").isNotBlank();
      assertThat(text(pom, "description")).as(where + " description").isNotBlank();
      assertThat(text(pom, "url")).as(where + " url").startsWith("https://");
      Element licence = child(child(pom, "licenses"), "license");
      assertThat(text(licence, "name")).as(where + " licence").isEqualTo("Apache-2.0");
      assertThat(text(licence, "url"))
          .as(where + " licence url")
          .isEqualTo("https://www.apache.org/licenses/LICENSE-2.0.txt");
      assertThat(text(child(child(pom, "developers"), "developer"), "name"))
          .as(where + " developer")
          .isNotBlank();
      Element scm = child(pom, "scm");
      assertThat(text(scm, "url")).as(where + " scm url").startsWith("https://");
      assertThat(text(scm, "connection")).as(where + " scm connection").startsWith("scm:git:");
      assertThat(child(pom, "parent")).as(where + " has no parent").isNull();
      assertThat(child(pom, "dependencyManagement")).as(where + " manages nothing").isNull();
      Element deps = child(pom, "dependencies");
      for (Element d : deps == null ? List.<Element>of() : children(deps, "dependency")) {
        String dep = text(d, "groupId") + ":" + text(d, "artifactId");
        assertThat(text(d, "version")).as(where + " " + dep + " version").isNotBlank();
        assertThat(text(d, "scope"))
            .as(where + " " + dep + " scope")
            .isNotIn("test", "import", "system");
      }
    }
  }

  @Test
  void everyJarCarriesTheLicenceAndItsOwnModuleName() throws Exception {
    requireInstalled();
    String licence = Files.readString(root.resolve("LICENSE"));
    assertThat(licence).contains("Apache License", "Version 2.0");
    Map<String, String> moduleNames = new HashMap<>();
    for (String m : published) {
      for (String classifier : List.of("", "-sources")) {
        try (JarFile jar = new JarFile(jar(m, classifier).toFile())) {
          var entry = jar.getEntry("META-INF/LICENSE");
          assertThat(entry).as(m + classifier + " META-INF/LICENSE").isNotNull();
          try (InputStream in = jar.getInputStream(entry)) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .as(m + classifier + " licence text")
                .isEqualTo(licence);
          }
        }
      }
      try (JarFile jar = new JarFile(jar(m, "").toFile())) {
        Manifest mf = jar.getManifest();
        String name = mf.getMainAttributes().getValue("Automatic-Module-Name");
        assertThat(name).as(m + " Automatic-Module-Name").matches("dev\\.casq\\.[a-z0-9.]+");
        assertThat(moduleNames.put(name, m)).as("module name " + name + " used twice").isNull();
      }
    }
  }

  @Test
  void theBomListsExactlyThePublishedModulesAtTheParentsVersion() throws Exception {
    Element bom = read(root.resolve("casq-bom/pom.xml")).getDocumentElement();
    assertThat(text(bom, "version")).as("casq-bom version").isEqualTo(version);
    assertThat(child(bom, "parent")).as("casq-bom inherits nothing").isNull();
    TreeSet<String> listed = new TreeSet<>();
    for (Element d :
        children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      assertThat(text(d, "groupId")).isEqualTo("dev.casq");
      assertThat(text(d, "version")).isEqualTo("${project.version}");
      listed.add(text(d, "artifactId"));
    }
    assertThat(listed).as("modules in casq-bom").isEqualTo(new TreeSet<>(published));
    requireInstalled();
    assertThat(repo.resolve("casq-bom/" + version + "/casq-bom-" + version + ".pom"))
        .as("casq-bom installed")
        .isRegularFile();
  }

  @Test
  void theChangelogHasAnEntryForThisVersion() throws Exception {
    String changelog = Files.readString(root.resolve("CHANGELOG.md"));
    String release = version.replace("-SNAPSHOT", "");
    assertThat(changelog)
        .as("CHANGELOG.md names " + release)
        .containsPattern("(?m)^## \\[?(Unreleased|" + java.util.regex.Pattern.quote(release) + ")");
  }

  private static Path jar(String module, String classifier) {
    return repo.resolve(
        module + "/" + version + "/" + module + "-" + version + classifier + ".jar");
  }

  private static Path pom(String module) {
    return repo.resolve(module + "/" + version + "/" + module + "-" + version + ".pom");
  }

  private static Document read(Path xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (InputStream in = Files.newInputStream(xml)) {
      return f.newDocumentBuilder().parse(in);
    }
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList all = parent.getChildNodes();
    for (int i = 0; i < all.getLength(); i++) {
      if (all.item(i) instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }
}
