package dev.casq.storage.s3;

import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;

/** Look-ups in the AWS SDK's own default chains. */
final class SdkDefaults {
  private SdkDefaults() {}

  /**
   * The region from {@code AWS_REGION} / {@code aws.region}, the AWS profile, and, only when no
   * endpoint override is set (that is, on AWS itself), EC2 instance metadata.
   */
  static Optional<String> region(boolean endpointSet) {
    AwsRegionProvider chain =
        endpointSet
            ? new AwsRegionProviderChain(
                new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
            : new DefaultAwsRegionProviderChain();
    try {
      return Optional.ofNullable(chain.getRegion()).map(Region::id);
    } catch (SdkClientException e) {
      return Optional.empty();
    }
  }
}
