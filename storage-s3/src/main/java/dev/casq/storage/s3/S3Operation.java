package dev.casq.storage.s3;

/** The store operations, as far as error mapping needs to tell them apart. */
enum S3Operation {
  READ("read", false, false),
  CREATE("create", true, true),
  REPLACE("replace", true, true),
  PUT("put", false, true),
  LIST("list", false, false),
  DELETE("delete", false, true),
  VERIFY_BUCKET("check bucket", false, false);

  private final String verb;
  private final boolean conditional;
  private final boolean write;

  S3Operation(String verb, boolean conditional, boolean write) {
    this.verb = verb;
    this.conditional = conditional;
    this.write = write;
  }

  String verb() {
    return verb;
  }

  /** A write with a precondition: create-if-absent or replace-if-match. */
  boolean conditional() {
    return conditional;
  }

  /** Changes the bucket when it succeeds. */
  boolean write() {
    return write;
  }
}
