import { describe, expect, it } from "vitest";
import { CollectionRefError, parseCollectionRef, redactUri } from "../../framework/mongo/index.js";

const defaults = { uri: "mongodb://localhost:27017/", db: "core4" };

describe("parseCollectionRef", () => {
  it("fills database and cluster from the defaults", () => {
    expect(parseCollectionRef("sys.log", defaults)).toEqual({ ...defaults, collection: "sys.log" });
  });

  it("reads db/coll against the default cluster", () => {
    expect(parseCollectionRef("usage/login", defaults)).toEqual({
      uri: defaults.uri,
      db: "usage",
      collection: "login",
    });
  });

  it("reads a full URI with credentials and options", () => {
    expect(parseCollectionRef("mongodb://u:secret@h1:1,h2:2/other/sys.log?replicaSet=rs", defaults)).toEqual({
      uri: "mongodb://u:secret@h1:1,h2:2/?replicaSet=rs",
      db: "other",
      collection: "sys.log",
    });
  });

  it("rejects references it cannot place, without showing the password", () => {
    expect(() => parseCollectionRef("a/b/c", defaults)).toThrow(CollectionRefError);
    expect(() => parseCollectionRef("", defaults)).toThrow(/empty/);
    expect(() => parseCollectionRef("bad db/x", defaults)).toThrow(/invalid database name/);
    let message = "";
    try {
      parseCollectionRef("mongodb://u:secret@h/onlydb", defaults);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/must end in \/<database>\/<collection>/);
    expect(message).not.toContain("secret");
  });
});

describe("redactUri", () => {
  it("hides passwords of mongodb and redis URLs", () => {
    expect(redactUri("mongodb://user:pw@host:27017/db")).toBe("mongodb://user:***@host:27017/db");
    expect(redactUri("redis://:pw@host:6379")).toBe("redis://:***@host:6379");
    expect(redactUri("mongodb://host:27017")).toBe("mongodb://host:27017");
  });
});
