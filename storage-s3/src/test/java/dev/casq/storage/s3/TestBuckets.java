package dev.casq.storage.s3;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/** Creates test buckets with a plain SDK client (the store itself never creates buckets). */
final class TestBuckets {
  private TestBuckets() {}

  static void ensure(URI endpoint, String accessKey, String secretKey, String bucket) {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
            .build()) {
      try {
        s3.createBucket(b -> b.bucket(bucket));
      } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
        // fine: an earlier run made it
      }
    }
  }
}
