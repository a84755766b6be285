package dev.casq.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The public API is {@code dev.casq.api} (what embedded and remote queues share) and {@code
 * dev.casq.core} (opening an embedded queue and its options). The engine lives in {@code
 * dev.casq.core.internal}, whose types are public only so that casq's own modules (broker, CLI,
 * simulator, metrics) can use them; nothing a user can reach through the API may lead there.
 */
class PublicApiTest {
  private static final String INTERNAL = "dev.casq.core.internal";

  private static final JavaClasses API =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.casq.api", "dev.casq.core")
          .that(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "in an API package",
                  c ->
                      c.getPackageName().equals("dev.casq.api")
                          || c.getPackageName().equals("dev.casq.core")));

  @Test
  void noPublicMemberOfTheApiNamesAnInternalType() {
    ArchRule rule =
        members()
            .that(
                com.tngtech.archunit.base.DescribedPredicate.describe(
                    "are public or protected in a public type",
                    m ->
                        m.getOwner().getModifiers().contains(JavaModifier.PUBLIC)
                            && (m.getModifiers().contains(JavaModifier.PUBLIC)
                                || m.getModifiers().contains(JavaModifier.PROTECTED))))
            .should(notNameAnInternalType())
            .because(
                "a user must not reach the engine through the API ("
                    + INTERNAL
                    + " may change in any release)");
    rule.check(API);
  }

  @Test
  void noApiTypeExtendsOrImplementsAnInternalType() {
    classes()
        .that()
        .arePublic()
        .should(
            new ArchCondition<JavaClass>("not extend or implement a type of " + INTERNAL) {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                for (JavaClass t : c.getAllRawSuperclasses()) {
                  report(c, t, "extends", events);
                }
                for (JavaClass t : c.getAllRawInterfaces()) {
                  report(c, t, "implements", events);
                }
              }
            })
        .check(API);
  }

  @Test
  void theEmbeddedApiIsSmall() {
    Set<String> publicTypes = new LinkedHashSet<>();
    for (JavaClass c : API) {
      if (c.getPackageName().equals("dev.casq.core")
          && c.getModifiers().contains(JavaModifier.PUBLIC)
          && !c.isNestedClass()) {
        publicTypes.add(c.getSimpleName());
      }
    }
    assertThat(publicTypes)
        .as("public types of dev.casq.core: add one only on purpose")
        .containsExactlyInAnyOrder(
            "Casq", "Queue", "Worker", "QueueOptions", "QueuePolicy", "EngineOptions");
  }

  private static void report(JavaClass c, JavaClass t, String how, ConditionEvents events) {
    if (t.getPackageName().startsWith(INTERNAL)) {
      events.add(SimpleConditionEvent.violated(c, c.getName() + " " + how + " " + t.getName()));
    }
  }

  private static ArchCondition<JavaMember> notNameAnInternalType() {
    return new ArchCondition<>("not name a type of " + INTERNAL + " in its signature") {
      @Override
      public void check(JavaMember member, ConditionEvents events) {
        Set<JavaClass> named = new LinkedHashSet<>();
        if (member instanceof JavaField f) {
          named.addAll(f.getType().getAllInvolvedRawTypes());
        } else if (member instanceof JavaCodeUnit u) {
          named.addAll(u.getReturnType().getAllInvolvedRawTypes());
          for (var p : u.getParameterTypes()) {
            named.addAll(p.getAllInvolvedRawTypes());
          }
          named.addAll(u.getThrowsClause().getTypes());
        }
        for (JavaClass t : named) {
          if (t.getPackageName().startsWith(INTERNAL)) {
            events.add(
                SimpleConditionEvent.violated(
                    member, member.getFullName() + " names " + t.getName()));
          }
        }
      }
    };
  }
}
