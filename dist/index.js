import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ConfigError,
  POST_STATE,
  RegistryReferenceError,
  RestrictedLicensesError,
  RunReport,
  bytesPerLicense,
  checkRecipients,
  createBackupRestorer,
  errorText,
  failureText,
  loadArtifactClient,
  log,
  logText,
  neutralise,
  parseReference,
  parseRepository,
  releaseOnExit,
  resolveSecrets,
  sweepRestoreDirs
} from "./chunks/chunk-VWCMWRET.js";
import {
  ExitCode,
  getInput,
  getState,
  saveState,
  setOutput,
  summary
} from "./chunks/chunk-2HFINW4O.js";
import "./chunks/chunk-46RMCKOJ.js";
import {
  MIN_LEASE_SECONDS
} from "./chunks/chunk-QECHKEH7.js";
import "./chunks/chunk-E4FUTUJW.js";
import "./chunks/chunk-GYL6EDMH.js";
import {
  InputFileError,
  readInputFile
} from "./chunks/chunk-4CBSMRKD.js";
import "./chunks/chunk-Z6LEVCEF.js";
import "./chunks/chunk-XDYNRSUZ.js";
import {
  cancelled,
  compileGlob,
  internalError,
  isLicenseBackupError
} from "./chunks/chunk-LIRZADVX.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunks/chunk-HANBNIMK.js";

// node_modules/yaml/dist/nodes/identity.js
var require_identity = __commonJS({
  "node_modules/yaml/dist/nodes/identity.js"(exports) {
    "use strict";
    var ALIAS = /* @__PURE__ */ Symbol.for("yaml.alias");
    var DOC = /* @__PURE__ */ Symbol.for("yaml.document");
    var MAP = /* @__PURE__ */ Symbol.for("yaml.map");
    var PAIR = /* @__PURE__ */ Symbol.for("yaml.pair");
    var SCALAR = /* @__PURE__ */ Symbol.for("yaml.scalar");
    var SEQ = /* @__PURE__ */ Symbol.for("yaml.seq");
    var NODE_TYPE = /* @__PURE__ */ Symbol.for("yaml.node.type");
    var isAlias = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === ALIAS;
    var isDocument = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === DOC;
    var isMap2 = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === MAP;
    var isPair = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === PAIR;
    var isScalar2 = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === SCALAR;
    var isSeq = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === SEQ;
    function isCollection(node) {
      if (node && typeof node === "object")
        switch (node[NODE_TYPE]) {
          case MAP:
          case SEQ:
            return true;
        }
      return false;
    }
    function isNode(node) {
      if (node && typeof node === "object")
        switch (node[NODE_TYPE]) {
          case ALIAS:
          case MAP:
          case SCALAR:
          case SEQ:
            return true;
        }
      return false;
    }
    var hasAnchor = (node) => (isScalar2(node) || isCollection(node)) && !!node.anchor;
    exports.ALIAS = ALIAS;
    exports.DOC = DOC;
    exports.MAP = MAP;
    exports.NODE_TYPE = NODE_TYPE;
    exports.PAIR = PAIR;
    exports.SCALAR = SCALAR;
    exports.SEQ = SEQ;
    exports.hasAnchor = hasAnchor;
    exports.isAlias = isAlias;
    exports.isCollection = isCollection;
    exports.isDocument = isDocument;
    exports.isMap = isMap2;
    exports.isNode = isNode;
    exports.isPair = isPair;
    exports.isScalar = isScalar2;
    exports.isSeq = isSeq;
  }
});

// node_modules/yaml/dist/visit.js
var require_visit = __commonJS({
  "node_modules/yaml/dist/visit.js"(exports) {
    "use strict";
    var identity = require_identity();
    var BREAK = /* @__PURE__ */ Symbol("break visit");
    var SKIP = /* @__PURE__ */ Symbol("skip children");
    var REMOVE = /* @__PURE__ */ Symbol("remove node");
    function visit(node, visitor) {
      const visitor_ = initVisitor(visitor);
      if (identity.isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
          node.contents = null;
      } else
        visit_(null, node, visitor_, Object.freeze([]));
    }
    visit.BREAK = BREAK;
    visit.SKIP = SKIP;
    visit.REMOVE = REMOVE;
    function visit_(key, node, visitor, path) {
      const ctrl = callVisitor(key, node, visitor, path);
      if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visit_(key, ctrl, visitor, path);
      }
      if (typeof ctrl !== "symbol") {
        if (identity.isCollection(node)) {
          path = Object.freeze(path.concat(node));
          for (let i = 0; i < node.items.length; ++i) {
            const ci = visit_(i, node.items[i], visitor, path);
            if (typeof ci === "number")
              i = ci - 1;
            else if (ci === BREAK)
              return BREAK;
            else if (ci === REMOVE) {
              node.items.splice(i, 1);
              i -= 1;
            }
          }
        } else if (identity.isPair(node)) {
          path = Object.freeze(path.concat(node));
          const ck = visit_("key", node.key, visitor, path);
          if (ck === BREAK)
            return BREAK;
          else if (ck === REMOVE)
            node.key = null;
          const cv = visit_("value", node.value, visitor, path);
          if (cv === BREAK)
            return BREAK;
          else if (cv === REMOVE)
            node.value = null;
        }
      }
      return ctrl;
    }
    async function visitAsync(node, visitor) {
      const visitor_ = initVisitor(visitor);
      if (identity.isDocument(node)) {
        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
          node.contents = null;
      } else
        await visitAsync_(null, node, visitor_, Object.freeze([]));
    }
    visitAsync.BREAK = BREAK;
    visitAsync.SKIP = SKIP;
    visitAsync.REMOVE = REMOVE;
    async function visitAsync_(key, node, visitor, path) {
      const ctrl = await callVisitor(key, node, visitor, path);
      if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visitAsync_(key, ctrl, visitor, path);
      }
      if (typeof ctrl !== "symbol") {
        if (identity.isCollection(node)) {
          path = Object.freeze(path.concat(node));
          for (let i = 0; i < node.items.length; ++i) {
            const ci = await visitAsync_(i, node.items[i], visitor, path);
            if (typeof ci === "number")
              i = ci - 1;
            else if (ci === BREAK)
              return BREAK;
            else if (ci === REMOVE) {
              node.items.splice(i, 1);
              i -= 1;
            }
          }
        } else if (identity.isPair(node)) {
          path = Object.freeze(path.concat(node));
          const ck = await visitAsync_("key", node.key, visitor, path);
          if (ck === BREAK)
            return BREAK;
          else if (ck === REMOVE)
            node.key = null;
          const cv = await visitAsync_("value", node.value, visitor, path);
          if (cv === BREAK)
            return BREAK;
          else if (cv === REMOVE)
            node.value = null;
        }
      }
      return ctrl;
    }
    function initVisitor(visitor) {
      if (typeof visitor === "object" && (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
          Alias: visitor.Node,
          Map: visitor.Node,
          Scalar: visitor.Node,
          Seq: visitor.Node
        }, visitor.Value && {
          Map: visitor.Value,
          Scalar: visitor.Value,
          Seq: visitor.Value
        }, visitor.Collection && {
          Map: visitor.Collection,
          Seq: visitor.Collection
        }, visitor);
      }
      return visitor;
    }
    function callVisitor(key, node, visitor, path) {
      if (typeof visitor === "function")
        return visitor(key, node, path);
      if (identity.isMap(node))
        return visitor.Map?.(key, node, path);
      if (identity.isSeq(node))
        return visitor.Seq?.(key, node, path);
      if (identity.isPair(node))
        return visitor.Pair?.(key, node, path);
      if (identity.isScalar(node))
        return visitor.Scalar?.(key, node, path);
      if (identity.isAlias(node))
        return visitor.Alias?.(key, node, path);
      return void 0;
    }
    function replaceNode(key, path, node) {
      const parent = path[path.length - 1];
      if (identity.isCollection(parent)) {
        parent.items[key] = node;
      } else if (identity.isPair(parent)) {
        if (key === "key")
          parent.key = node;
        else
          parent.value = node;
      } else if (identity.isDocument(parent)) {
        parent.contents = node;
      } else {
        const pt = identity.isAlias(parent) ? "alias" : "scalar";
        throw new Error(`Cannot replace node with ${pt} parent`);
      }
    }
    exports.visit = visit;
    exports.visitAsync = visitAsync;
  }
});

// node_modules/yaml/dist/doc/directives.js
var require_directives = __commonJS({
  "node_modules/yaml/dist/doc/directives.js"(exports) {
    "use strict";
    var identity = require_identity();
    var visit = require_visit();
    var escapeChars = {
      "!": "%21",
      ",": "%2C",
      "[": "%5B",
      "]": "%5D",
      "{": "%7B",
      "}": "%7D"
    };
    var escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, (ch) => escapeChars[ch]);
    var Directives = class _Directives {
      constructor(yaml, tags) {
        this.docStart = null;
        this.docEnd = false;
        this.yaml = Object.assign({}, _Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, _Directives.defaultTags, tags);
      }
      clone() {
        const copy = new _Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
      }
      /**
       * During parsing, get a Directives instance for the current document and
       * update the stream state according to the current version's spec.
       */
      atDocument() {
        const res = new _Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
          case "1.1":
            this.atNextDocument = true;
            break;
          case "1.2":
            this.atNextDocument = false;
            this.yaml = {
              explicit: _Directives.defaultYaml.explicit,
              version: "1.2"
            };
            this.tags = Object.assign({}, _Directives.defaultTags);
            break;
        }
        return res;
      }
      /**
       * @param onError - May be called even if the action was successful
       * @returns `true` on success
       */
      add(line, onError) {
        if (this.atNextDocument) {
          this.yaml = { explicit: _Directives.defaultYaml.explicit, version: "1.1" };
          this.tags = Object.assign({}, _Directives.defaultTags);
          this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
          case "%TAG": {
            if (parts.length !== 2) {
              onError(0, "%TAG directive should contain exactly two parts");
              if (parts.length < 2)
                return false;
            }
            const [handle, prefix] = parts;
            this.tags[handle] = prefix;
            return true;
          }
          case "%YAML": {
            this.yaml.explicit = true;
            if (parts.length !== 1) {
              onError(0, "%YAML directive should contain exactly one part");
              return false;
            }
            const [version] = parts;
            if (version === "1.1" || version === "1.2") {
              this.yaml.version = version;
              return true;
            } else {
              const isValid = /^\d+\.\d+$/.test(version);
              onError(6, `Unsupported YAML version ${version}`, isValid);
              return false;
            }
          }
          default:
            onError(0, `Unknown directive ${name}`, true);
            return false;
        }
      }
      /**
       * Resolves a tag, matching handles to those defined in %TAG directives.
       *
       * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
       *   `'!local'` tag, or `null` if unresolvable.
       */
      tagName(source, onError) {
        if (source === "!")
          return "!";
        if (source[0] !== "!") {
          onError(`Not a valid tag: ${source}`);
          return null;
        }
        if (source[1] === "<") {
          const verbatim = source.slice(2, -1);
          if (verbatim === "!" || verbatim === "!!") {
            onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
            return null;
          }
          if (source[source.length - 1] !== ">")
            onError("Verbatim tags must end with a >");
          return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
          onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
          try {
            return prefix + decodeURIComponent(suffix);
          } catch (error) {
            onError(String(error));
            return null;
          }
        }
        if (handle === "!")
          return source;
        onError(`Could not resolve tag: ${source}`);
        return null;
      }
      /**
       * Given a fully resolved tag, returns its printable string form,
       * taking into account current tag prefixes and defaults.
       */
      tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
          if (tag.startsWith(prefix))
            return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === "!" ? tag : `!<${tag}>`;
      }
      toString(doc) {
        const lines = this.yaml.explicit ? [`%YAML ${this.yaml.version || "1.2"}`] : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
          const tags = {};
          visit.visit(doc.contents, (_key, node) => {
            if (identity.isNode(node) && node.tag)
              tags[node.tag] = true;
          });
          tagNames = Object.keys(tags);
        } else
          tagNames = [];
        for (const [handle, prefix] of tagEntries) {
          if (handle === "!!" && prefix === "tag:yaml.org,2002:")
            continue;
          if (!doc || tagNames.some((tn) => tn.startsWith(prefix)))
            lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join("\n");
      }
    };
    Directives.defaultYaml = { explicit: false, version: "1.2" };
    Directives.defaultTags = { "!!": "tag:yaml.org,2002:" };
    exports.Directives = Directives;
  }
});

// node_modules/yaml/dist/doc/anchors.js
var require_anchors = __commonJS({
  "node_modules/yaml/dist/doc/anchors.js"(exports) {
    "use strict";
    var identity = require_identity();
    var visit = require_visit();
    function anchorIsValid(anchor) {
      if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
      }
      return true;
    }
    function anchorNames(root) {
      const anchors = /* @__PURE__ */ new Set();
      visit.visit(root, {
        Value(_key, node) {
          if (node.anchor)
            anchors.add(node.anchor);
        }
      });
      return anchors;
    }
    function findNewAnchor(prefix, exclude) {
      for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
          return name;
      }
    }
    function createNodeAnchors(doc, prefix) {
      const aliasObjects = [];
      const sourceObjects = /* @__PURE__ */ new Map();
      let prevAnchors = null;
      return {
        onAnchor: (source) => {
          aliasObjects.push(source);
          prevAnchors ?? (prevAnchors = anchorNames(doc));
          const anchor = findNewAnchor(prefix, prevAnchors);
          prevAnchors.add(anchor);
          return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
          for (const source of aliasObjects) {
            const ref = sourceObjects.get(source);
            if (typeof ref === "object" && ref.anchor && (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
              ref.node.anchor = ref.anchor;
            } else {
              const error = new Error("Failed to resolve repeated object (this should not happen)");
              error.source = source;
              throw error;
            }
          }
        },
        sourceObjects
      };
    }
    exports.anchorIsValid = anchorIsValid;
    exports.anchorNames = anchorNames;
    exports.createNodeAnchors = createNodeAnchors;
    exports.findNewAnchor = findNewAnchor;
  }
});

// node_modules/yaml/dist/doc/applyReviver.js
var require_applyReviver = __commonJS({
  "node_modules/yaml/dist/doc/applyReviver.js"(exports) {
    "use strict";
    function applyReviver(reviver, obj, key, val) {
      if (val && typeof val === "object") {
        if (Array.isArray(val)) {
          for (let i = 0, len = val.length; i < len; ++i) {
            const v0 = val[i];
            const v1 = applyReviver(reviver, val, String(i), v0);
            if (v1 === void 0)
              delete val[i];
            else if (v1 !== v0)
              val[i] = v1;
          }
        } else if (val instanceof Map) {
          for (const k of Array.from(val.keys())) {
            const v0 = val.get(k);
            const v1 = applyReviver(reviver, val, k, v0);
            if (v1 === void 0)
              val.delete(k);
            else if (v1 !== v0)
              val.set(k, v1);
          }
        } else if (val instanceof Set) {
          for (const v0 of Array.from(val)) {
            const v1 = applyReviver(reviver, val, v0, v0);
            if (v1 === void 0)
              val.delete(v0);
            else if (v1 !== v0) {
              val.delete(v0);
              val.add(v1);
            }
          }
        } else {
          for (const [k, v0] of Object.entries(val)) {
            const v1 = applyReviver(reviver, val, k, v0);
            if (v1 === void 0)
              delete val[k];
            else if (v1 !== v0)
              val[k] = v1;
          }
        }
      }
      return reviver.call(obj, key, val);
    }
    exports.applyReviver = applyReviver;
  }
});

// node_modules/yaml/dist/nodes/toJS.js
var require_toJS = __commonJS({
  "node_modules/yaml/dist/nodes/toJS.js"(exports) {
    "use strict";
    var identity = require_identity();
    function toJS(value, arg, ctx) {
      if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
      if (value && typeof value.toJSON === "function") {
        if (!ctx || !identity.hasAnchor(value))
          return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: void 0 };
        ctx.anchors.set(value, data);
        ctx.onCreate = (res2) => {
          data.res = res2;
          delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
          ctx.onCreate(res);
        return res;
      }
      if (typeof value === "bigint" && !ctx?.keep)
        return Number(value);
      return value;
    }
    exports.toJS = toJS;
  }
});

// node_modules/yaml/dist/nodes/Node.js
var require_Node = __commonJS({
  "node_modules/yaml/dist/nodes/Node.js"(exports) {
    "use strict";
    var applyReviver = require_applyReviver();
    var identity = require_identity();
    var toJS = require_toJS();
    var NodeBase = class {
      constructor(type) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
      }
      /** Create a copy of this node.  */
      clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
          copy.range = this.range.slice();
        return copy;
      }
      /** A plain JavaScript representation of this node. */
      toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!identity.isDocument(doc))
          throw new TypeError("A document argument is required");
        const ctx = {
          anchors: /* @__PURE__ */ new Map(),
          doc,
          keep: true,
          mapAsMap: mapAsMap === true,
          mapKeyWarned: false,
          maxAliasCount: typeof maxAliasCount === "number" ? maxAliasCount : 100
        };
        const res = toJS.toJS(this, "", ctx);
        if (typeof onAnchor === "function")
          for (const { count, res: res2 } of ctx.anchors.values())
            onAnchor(res2, count);
        return typeof reviver === "function" ? applyReviver.applyReviver(reviver, { "": res }, "", res) : res;
      }
    };
    exports.NodeBase = NodeBase;
  }
});

// node_modules/yaml/dist/nodes/Alias.js
var require_Alias = __commonJS({
  "node_modules/yaml/dist/nodes/Alias.js"(exports) {
    "use strict";
    var anchors = require_anchors();
    var visit = require_visit();
    var identity = require_identity();
    var Node = require_Node();
    var toJS = require_toJS();
    var Alias = class extends Node.NodeBase {
      constructor(source) {
        super(identity.ALIAS);
        this.source = source;
        Object.defineProperty(this, "tag", {
          set() {
            throw new Error("Alias nodes cannot have tags");
          }
        });
      }
      /**
       * Resolve the value of this alias within `doc`, finding the last
       * instance of the `source` anchor before this node.
       */
      resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
          throw new ReferenceError("Alias resolution is disabled");
        let nodes;
        if (ctx?.aliasResolveCache) {
          nodes = ctx.aliasResolveCache;
        } else {
          nodes = [];
          visit.visit(doc, {
            Node: (_key, node) => {
              if (identity.isAlias(node) || identity.hasAnchor(node))
                nodes.push(node);
            }
          });
          if (ctx)
            ctx.aliasResolveCache = nodes;
        }
        let found = void 0;
        for (const node of nodes) {
          if (node === this)
            break;
          if (node.anchor === this.source)
            found = node;
        }
        if (found && ctx) {
          const { anchors: anchors2, doc: doc2, maxAliasCount } = ctx;
          let data = anchors2.get(found);
          if (!data) {
            toJS.toJS(found, null, ctx);
            data = anchors2.get(found);
          }
          if (data?.res === void 0) {
            const msg = "This should not happen: Alias anchor was not resolved?";
            throw new ReferenceError(msg);
          }
          if (maxAliasCount >= 0) {
            data.count += 1;
            if (data.aliasCount === 0)
              data.aliasCount = getAliasCount(doc2, found, anchors2);
            if (data.count * data.aliasCount > maxAliasCount) {
              const msg = "Excessive alias count indicates a resource exhaustion attack";
              throw new ReferenceError(msg);
            }
          }
        }
        return found;
      }
      toJSON(_arg, ctx) {
        if (!ctx)
          return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
          const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
          throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
      }
      toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
          anchors.anchorIsValid(this.source);
          if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new Error(msg);
          }
          if (ctx.implicitKey)
            return `${src} `;
        }
        return src;
      }
    };
    function getAliasCount(doc, node, anchors2) {
      if (identity.isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors2 && source && anchors2.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
      } else if (identity.isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
          const c = getAliasCount(doc, item, anchors2);
          if (c > count)
            count = c;
        }
        return count;
      } else if (identity.isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors2);
        const vc = getAliasCount(doc, node.value, anchors2);
        return Math.max(kc, vc);
      }
      return 1;
    }
    exports.Alias = Alias;
  }
});

// node_modules/yaml/dist/nodes/Scalar.js
var require_Scalar = __commonJS({
  "node_modules/yaml/dist/nodes/Scalar.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Node = require_Node();
    var toJS = require_toJS();
    var isScalarValue = (value) => !value || typeof value !== "function" && typeof value !== "object";
    var Scalar = class extends Node.NodeBase {
      constructor(value) {
        super(identity.SCALAR);
        this.value = value;
      }
      toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
      }
      toString() {
        return String(this.value);
      }
    };
    Scalar.BLOCK_FOLDED = "BLOCK_FOLDED";
    Scalar.BLOCK_LITERAL = "BLOCK_LITERAL";
    Scalar.PLAIN = "PLAIN";
    Scalar.QUOTE_DOUBLE = "QUOTE_DOUBLE";
    Scalar.QUOTE_SINGLE = "QUOTE_SINGLE";
    exports.Scalar = Scalar;
    exports.isScalarValue = isScalarValue;
  }
});

// node_modules/yaml/dist/doc/createNode.js
var require_createNode = __commonJS({
  "node_modules/yaml/dist/doc/createNode.js"(exports) {
    "use strict";
    var Alias = require_Alias();
    var identity = require_identity();
    var Scalar = require_Scalar();
    var defaultTagPrefix = "tag:yaml.org,2002:";
    function findTagObject(value, tagName, tags) {
      if (tagName) {
        const match = tags.filter((t) => t.tag === tagName);
        const tagObj = match.find((t) => !t.format) ?? match[0];
        if (!tagObj)
          throw new Error(`Tag ${tagName} not found`);
        return tagObj;
      }
      return tags.find((t) => t.identify?.(value) && !t.format);
    }
    function createNode(value, tagName, ctx) {
      if (identity.isDocument(value))
        value = value.contents;
      if (identity.isNode(value))
        return value;
      if (identity.isPair(value)) {
        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
      }
      if (value instanceof String || value instanceof Number || value instanceof Boolean || typeof BigInt !== "undefined" && value instanceof BigInt) {
        value = value.valueOf();
      }
      const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
      let ref = void 0;
      if (aliasDuplicateObjects && value && typeof value === "object") {
        ref = sourceObjects.get(value);
        if (ref) {
          ref.anchor ?? (ref.anchor = onAnchor(value));
          return new Alias.Alias(ref.anchor);
        } else {
          ref = { anchor: null, node: null };
          sourceObjects.set(value, ref);
        }
      }
      if (tagName?.startsWith("!!"))
        tagName = defaultTagPrefix + tagName.slice(2);
      let tagObj = findTagObject(value, tagName, schema.tags);
      if (!tagObj) {
        if (value && typeof value.toJSON === "function") {
          value = value.toJSON();
        }
        if (!value || typeof value !== "object") {
          const node2 = new Scalar.Scalar(value);
          if (ref)
            ref.node = node2;
          return node2;
        }
        tagObj = value instanceof Map ? schema[identity.MAP] : Symbol.iterator in Object(value) ? schema[identity.SEQ] : schema[identity.MAP];
      }
      if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
      }
      const node = tagObj?.createNode ? tagObj.createNode(ctx.schema, value, ctx) : typeof tagObj?.nodeClass?.from === "function" ? tagObj.nodeClass.from(ctx.schema, value, ctx) : new Scalar.Scalar(value);
      if (tagName)
        node.tag = tagName;
      else if (!tagObj.default)
        node.tag = tagObj.tag;
      if (ref)
        ref.node = node;
      return node;
    }
    exports.createNode = createNode;
  }
});

// node_modules/yaml/dist/nodes/Collection.js
var require_Collection = __commonJS({
  "node_modules/yaml/dist/nodes/Collection.js"(exports) {
    "use strict";
    var createNode = require_createNode();
    var identity = require_identity();
    var Node = require_Node();
    function collectionFromPath(schema, path, value) {
      let v = value;
      for (let i = path.length - 1; i >= 0; --i) {
        const k = path[i];
        if (typeof k === "number" && Number.isInteger(k) && k >= 0) {
          const a = [];
          a[k] = v;
          v = a;
        } else {
          v = /* @__PURE__ */ new Map([[k, v]]);
        }
      }
      return createNode.createNode(v, void 0, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
          throw new Error("This should not happen, please report a bug.");
        },
        schema,
        sourceObjects: /* @__PURE__ */ new Map()
      });
    }
    var isEmptyPath = (path) => path == null || typeof path === "object" && !!path[Symbol.iterator]().next().done;
    var Collection = class extends Node.NodeBase {
      constructor(type, schema) {
        super(type);
        Object.defineProperty(this, "schema", {
          value: schema,
          configurable: true,
          enumerable: false,
          writable: true
        });
      }
      /**
       * Create a copy of this collection.
       *
       * @param schema - If defined, overwrites the original's schema
       */
      clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
          copy.schema = schema;
        copy.items = copy.items.map((it) => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
        if (this.range)
          copy.range = this.range.slice();
        return copy;
      }
      /**
       * Adds a value to the collection. For `!!map` and `!!omap` the value must
       * be a Pair instance or a `{ key, value }` object, which may not have a key
       * that already exists in the map.
       */
      addIn(path, value) {
        if (isEmptyPath(path))
          this.add(value);
        else {
          const [key, ...rest] = path;
          const node = this.get(key, true);
          if (identity.isCollection(node))
            node.addIn(rest, value);
          else if (node === void 0 && this.schema)
            this.set(key, collectionFromPath(this.schema, rest, value));
          else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
      }
      /**
       * Removes a value from the collection.
       * @returns `true` if the item was found and removed.
       */
      deleteIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
          return this.delete(key);
        const node = this.get(key, true);
        if (identity.isCollection(node))
          return node.deleteIn(rest);
        else
          throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
      }
      /**
       * Returns item at `key`, or `undefined` if not found. By default unwraps
       * scalar values from their surrounding node; to disable set `keepScalar` to
       * `true` (collections are always returned intact).
       */
      getIn(path, keepScalar) {
        const [key, ...rest] = path;
        const node = this.get(key, true);
        if (rest.length === 0)
          return !keepScalar && identity.isScalar(node) ? node.value : node;
        else
          return identity.isCollection(node) ? node.getIn(rest, keepScalar) : void 0;
      }
      hasAllNullValues(allowScalar) {
        return this.items.every((node) => {
          if (!identity.isPair(node))
            return false;
          const n = node.value;
          return n == null || allowScalar && identity.isScalar(n) && n.value == null && !n.commentBefore && !n.comment && !n.tag;
        });
      }
      /**
       * Checks if the collection includes a value with the key `key`.
       */
      hasIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
          return this.has(key);
        const node = this.get(key, true);
        return identity.isCollection(node) ? node.hasIn(rest) : false;
      }
      /**
       * Sets a value in this collection. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       */
      setIn(path, value) {
        const [key, ...rest] = path;
        if (rest.length === 0) {
          this.set(key, value);
        } else {
          const node = this.get(key, true);
          if (identity.isCollection(node))
            node.setIn(rest, value);
          else if (node === void 0 && this.schema)
            this.set(key, collectionFromPath(this.schema, rest, value));
          else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
      }
    };
    exports.Collection = Collection;
    exports.collectionFromPath = collectionFromPath;
    exports.isEmptyPath = isEmptyPath;
  }
});

// node_modules/yaml/dist/stringify/stringifyComment.js
var require_stringifyComment = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyComment.js"(exports) {
    "use strict";
    var stringifyComment = (str) => str.replace(/^(?!$)(?: $)?/gm, "#");
    function indentComment(comment, indent) {
      if (/^\n+$/.test(comment))
        return comment.substring(1);
      return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
    }
    var lineComment = (str, indent, comment) => str.endsWith("\n") ? indentComment(comment, indent) : comment.includes("\n") ? "\n" + indentComment(comment, indent) : (str.endsWith(" ") ? "" : " ") + comment;
    exports.indentComment = indentComment;
    exports.lineComment = lineComment;
    exports.stringifyComment = stringifyComment;
  }
});

// node_modules/yaml/dist/stringify/foldFlowLines.js
var require_foldFlowLines = __commonJS({
  "node_modules/yaml/dist/stringify/foldFlowLines.js"(exports) {
    "use strict";
    var FOLD_FLOW = "flow";
    var FOLD_BLOCK = "block";
    var FOLD_QUOTED = "quoted";
    function foldFlowLines(text, indent, mode = "flow", { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
      if (!lineWidth || lineWidth < 0)
        return text;
      if (lineWidth < minContentWidth)
        minContentWidth = 0;
      const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
      if (text.length <= endStep)
        return text;
      const folds = [];
      const escapedFolds = {};
      let end = lineWidth - indent.length;
      if (typeof indentAtStart === "number") {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
          folds.push(0);
        else
          end = lineWidth - indentAtStart;
      }
      let split = void 0;
      let prev = void 0;
      let overflow = false;
      let i = -1;
      let escStart = -1;
      let escEnd = -1;
      if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent.length);
        if (i !== -1)
          end = i + endStep;
      }
      for (let ch; ch = text[i += 1]; ) {
        if (mode === FOLD_QUOTED && ch === "\\") {
          escStart = i;
          switch (text[i + 1]) {
            case "x":
              i += 3;
              break;
            case "u":
              i += 5;
              break;
            case "U":
              i += 9;
              break;
            default:
              i += 1;
          }
          escEnd = i;
        }
        if (ch === "\n") {
          if (mode === FOLD_BLOCK)
            i = consumeMoreIndentedLines(text, i, indent.length);
          end = i + indent.length + endStep;
          split = void 0;
        } else {
          if (ch === " " && prev && prev !== " " && prev !== "\n" && prev !== "	") {
            const next = text[i + 1];
            if (next && next !== " " && next !== "\n" && next !== "	")
              split = i;
          }
          if (i >= end) {
            if (split) {
              folds.push(split);
              end = split + endStep;
              split = void 0;
            } else if (mode === FOLD_QUOTED) {
              while (prev === " " || prev === "	") {
                prev = ch;
                ch = text[i += 1];
                overflow = true;
              }
              const j = i > escEnd + 1 ? i - 2 : escStart - 1;
              if (escapedFolds[j])
                return text;
              folds.push(j);
              escapedFolds[j] = true;
              end = j + endStep;
              split = void 0;
            } else {
              overflow = true;
            }
          }
        }
        prev = ch;
      }
      if (overflow && onOverflow)
        onOverflow();
      if (folds.length === 0)
        return text;
      if (onFold)
        onFold();
      let res = text.slice(0, folds[0]);
      for (let i2 = 0; i2 < folds.length; ++i2) {
        const fold = folds[i2];
        const end2 = folds[i2 + 1] || text.length;
        if (fold === 0)
          res = `
${indent}${text.slice(0, end2)}`;
        else {
          if (mode === FOLD_QUOTED && escapedFolds[fold])
            res += `${text[fold]}\\`;
          res += `
${indent}${text.slice(fold + 1, end2)}`;
        }
      }
      return res;
    }
    function consumeMoreIndentedLines(text, i, indent) {
      let end = i;
      let start = i + 1;
      let ch = text[start];
      while (ch === " " || ch === "	") {
        if (i < start + indent) {
          ch = text[++i];
        } else {
          do {
            ch = text[++i];
          } while (ch && ch !== "\n");
          end = i;
          start = i + 1;
          ch = text[start];
        }
      }
      return end;
    }
    exports.FOLD_BLOCK = FOLD_BLOCK;
    exports.FOLD_FLOW = FOLD_FLOW;
    exports.FOLD_QUOTED = FOLD_QUOTED;
    exports.foldFlowLines = foldFlowLines;
  }
});

// node_modules/yaml/dist/stringify/stringifyString.js
var require_stringifyString = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyString.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var foldFlowLines = require_foldFlowLines();
    var getFoldOptions = (ctx, isBlock) => ({
      indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
      lineWidth: ctx.options.lineWidth,
      minContentWidth: ctx.options.minContentWidth
    });
    var containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
    function lineLengthOverLimit(str, lineWidth, indentLength) {
      if (!lineWidth || lineWidth < 0)
        return false;
      const limit = lineWidth - indentLength;
      const strLen = str.length;
      if (strLen <= limit)
        return false;
      for (let i = 0, start = 0; i < strLen; ++i) {
        if (str[i] === "\n") {
          if (i - start > limit)
            return true;
          start = i + 1;
          if (strLen - start <= limit)
            return false;
        }
      }
      return true;
    }
    function doubleQuotedString(value, ctx) {
      const json = JSON.stringify(value);
      if (ctx.options.doubleQuotedAsJSON)
        return json;
      const { implicitKey } = ctx;
      const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
      const indent = ctx.indent || (containsDocumentMarker(value) ? "  " : "");
      let str = "";
      let start = 0;
      for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === " " && json[i + 1] === "\\" && json[i + 2] === "n") {
          str += json.slice(start, i) + "\\ ";
          i += 1;
          start = i;
          ch = "\\";
        }
        if (ch === "\\")
          switch (json[i + 1]) {
            case "u":
              {
                str += json.slice(start, i);
                const code = json.substr(i + 2, 4);
                switch (code) {
                  case "0000":
                    str += "\\0";
                    break;
                  case "0007":
                    str += "\\a";
                    break;
                  case "000b":
                    str += "\\v";
                    break;
                  case "001b":
                    str += "\\e";
                    break;
                  case "0085":
                    str += "\\N";
                    break;
                  case "00a0":
                    str += "\\_";
                    break;
                  case "2028":
                    str += "\\L";
                    break;
                  case "2029":
                    str += "\\P";
                    break;
                  default:
                    if (code.substr(0, 2) === "00")
                      str += "\\x" + code.substr(2);
                    else
                      str += json.substr(i, 6);
                }
                i += 5;
                start = i + 1;
              }
              break;
            case "n":
              if (implicitKey || json[i + 2] === '"' || json.length < minMultiLineLength) {
                i += 1;
              } else {
                str += json.slice(start, i) + "\n\n";
                while (json[i + 2] === "\\" && json[i + 3] === "n" && json[i + 4] !== '"') {
                  str += "\n";
                  i += 2;
                }
                str += indent;
                if (json[i + 2] === " ")
                  str += "\\";
                i += 1;
                start = i + 1;
              }
              break;
            default:
              i += 1;
          }
      }
      str = start ? str + json.slice(start) : json;
      return implicitKey ? str : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
    }
    function singleQuotedString(value, ctx) {
      if (ctx.options.singleQuote === false || ctx.implicitKey && value.includes("\n") || /[ \t]\n|\n[ \t]/.test(value))
        return doubleQuotedString(value, ctx);
      const indent = ctx.indent || (containsDocumentMarker(value) ? "  " : "");
      const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&
${indent}`) + "'";
      return ctx.implicitKey ? res : foldFlowLines.foldFlowLines(res, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
    }
    function quotedString(value, ctx) {
      const { singleQuote } = ctx.options;
      let qs;
      if (singleQuote === false)
        qs = doubleQuotedString;
      else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
          qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
          qs = doubleQuotedString;
        else
          qs = singleQuote ? singleQuotedString : doubleQuotedString;
      }
      return qs(value, ctx);
    }
    var blockEndNewlines;
    try {
      blockEndNewlines = new RegExp("(^|(?<!\n))\n+(?!\n|$)", "g");
    } catch {
      blockEndNewlines = /\n+(?!\n|$)/g;
    }
    function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
      const { blockQuote, commentString, lineWidth } = ctx.options;
      if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
      }
      const indent = ctx.indent || (ctx.forceBlockIndent || containsDocumentMarker(value) ? "  " : "");
      const literal = blockQuote === "literal" ? true : blockQuote === "folded" || type === Scalar.Scalar.BLOCK_FOLDED ? false : type === Scalar.Scalar.BLOCK_LITERAL ? true : !lineLengthOverLimit(value, lineWidth, indent.length);
      if (!value)
        return literal ? "|\n" : ">\n";
      let chomp;
      let endStart;
      for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== "\n" && ch !== "	" && ch !== " ")
          break;
      }
      let end = value.substring(endStart);
      const endNlPos = end.indexOf("\n");
      if (endNlPos === -1) {
        chomp = "-";
      } else if (value === end || endNlPos !== end.length - 1) {
        chomp = "+";
        if (onChompKeep)
          onChompKeep();
      } else {
        chomp = "";
      }
      if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === "\n")
          end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent}`);
      }
      let startWithSpace = false;
      let startEnd;
      let startNlPos = -1;
      for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === " ")
          startWithSpace = true;
        else if (ch === "\n")
          startNlPos = startEnd;
        else
          break;
      }
      let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
      if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent}`);
      }
      const indentSize = indent ? "2" : "1";
      let header = (startWithSpace ? indentSize : "") + chomp;
      if (comment) {
        header += " " + commentString(comment.replace(/ ?[\r\n]+/g, " "));
        if (onComment)
          onComment();
      }
      if (!literal) {
        const foldedValue = value.replace(/\n+/g, "\n$&").replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, "$1$2").replace(/\n+/g, `$&${indent}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== "folded" && type !== Scalar.Scalar.BLOCK_FOLDED) {
          foldOptions.onOverflow = () => {
            literalFallback = true;
          };
        }
        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent, foldFlowLines.FOLD_BLOCK, foldOptions);
        if (!literalFallback)
          return `>${header}
${indent}${body}`;
      }
      value = value.replace(/\n+/g, `$&${indent}`);
      return `|${header}
${indent}${start}${value}${end}`;
    }
    function plainString(item, ctx, onComment, onChompKeep) {
      const { type, value } = item;
      const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
      if (implicitKey && value.includes("\n") || inFlow && /[[\]{},]/.test(value)) {
        return quotedString(value, ctx);
      }
      if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        return implicitKey || inFlow || !value.includes("\n") ? quotedString(value, ctx) : blockString(item, ctx, onComment, onChompKeep);
      }
      if (!implicitKey && !inFlow && type !== Scalar.Scalar.PLAIN && value.includes("\n")) {
        return blockString(item, ctx, onComment, onChompKeep);
      }
      if (containsDocumentMarker(value)) {
        if (indent === "") {
          ctx.forceBlockIndent = true;
          return blockString(item, ctx, onComment, onChompKeep);
        } else if (implicitKey && indent === indentStep) {
          return quotedString(value, ctx);
        }
      }
      const str = value.replace(/\n+/g, `$&
${indent}`);
      if (actualString) {
        const test = (tag) => tag.default && tag.tag !== "tag:yaml.org,2002:str" && tag.test?.test(str);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
          return quotedString(value, ctx);
      }
      return implicitKey ? str : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
    }
    function stringifyString(item, ctx, onComment, onChompKeep) {
      const { implicitKey, inFlow } = ctx;
      const ss = typeof item.value === "string" ? item : Object.assign({}, item, { value: String(item.value) });
      let { type } = item;
      if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
          type = Scalar.Scalar.QUOTE_DOUBLE;
      }
      const _stringify = (_type) => {
        switch (_type) {
          case Scalar.Scalar.BLOCK_FOLDED:
          case Scalar.Scalar.BLOCK_LITERAL:
            return implicitKey || inFlow ? quotedString(ss.value, ctx) : blockString(ss, ctx, onComment, onChompKeep);
          case Scalar.Scalar.QUOTE_DOUBLE:
            return doubleQuotedString(ss.value, ctx);
          case Scalar.Scalar.QUOTE_SINGLE:
            return singleQuotedString(ss.value, ctx);
          case Scalar.Scalar.PLAIN:
            return plainString(ss, ctx, onComment, onChompKeep);
          default:
            return null;
        }
      };
      let res = _stringify(type);
      if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = implicitKey && defaultKeyType || defaultStringType;
        res = _stringify(t);
        if (res === null)
          throw new Error(`Unsupported default string type ${t}`);
      }
      return res;
    }
    exports.stringifyString = stringifyString;
  }
});

// node_modules/yaml/dist/stringify/stringify.js
var require_stringify = __commonJS({
  "node_modules/yaml/dist/stringify/stringify.js"(exports) {
    "use strict";
    var anchors = require_anchors();
    var identity = require_identity();
    var stringifyComment = require_stringifyComment();
    var stringifyString = require_stringifyString();
    function createStringifyContext(doc, options) {
      const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment.stringifyComment,
        defaultKeyType: null,
        defaultStringType: "PLAIN",
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: "false",
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: "null",
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: "true",
        verifyAliasOrder: true
      }, doc.schema.toStringOptions, options);
      let inFlow;
      switch (opt.collectionStyle) {
        case "block":
          inFlow = false;
          break;
        case "flow":
          inFlow = true;
          break;
        default:
          inFlow = null;
      }
      return {
        anchors: /* @__PURE__ */ new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? " " : "",
        indent: "",
        indentStep: typeof opt.indent === "number" ? " ".repeat(opt.indent) : "  ",
        inFlow,
        options: opt
      };
    }
    function getTagObject(tags, item) {
      if (item.tag) {
        const match = tags.filter((t) => t.tag === item.tag);
        if (match.length > 0)
          return match.find((t) => t.format === item.format) ?? match[0];
      }
      let tagObj = void 0;
      let obj;
      if (identity.isScalar(item)) {
        obj = item.value;
        let match = tags.filter((t) => t.identify?.(obj));
        if (match.length > 1) {
          const testMatch = match.filter((t) => t.test);
          if (testMatch.length > 0)
            match = testMatch;
        }
        tagObj = match.find((t) => t.format === item.format) ?? match.find((t) => !t.format);
      } else {
        obj = item;
        tagObj = tags.find((t) => t.nodeClass && obj instanceof t.nodeClass);
      }
      if (!tagObj) {
        const name = obj?.constructor?.name ?? (obj === null ? "null" : typeof obj);
        throw new Error(`Tag not resolved for ${name} value`);
      }
      return tagObj;
    }
    function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
      if (!doc.directives)
        return "";
      const props = [];
      const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
      if (anchor && anchors.anchorIsValid(anchor)) {
        anchors$1.add(anchor);
        props.push(`&${anchor}`);
      }
      const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
      if (tag)
        props.push(doc.directives.tagString(tag));
      return props.join(" ");
    }
    function stringify(item, ctx, onComment, onChompKeep) {
      if (identity.isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
      if (identity.isAlias(item)) {
        if (ctx.doc.directives)
          return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
          throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        } else {
          if (ctx.resolvedAliases)
            ctx.resolvedAliases.add(item);
          else
            ctx.resolvedAliases = /* @__PURE__ */ new Set([item]);
          item = item.resolve(ctx.doc);
        }
      }
      let tagObj = void 0;
      const node = identity.isNode(item) ? item : ctx.doc.createNode(item, { onTagObj: (o) => tagObj = o });
      tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
      const props = stringifyProps(node, tagObj, ctx);
      if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
      const str = typeof tagObj.stringify === "function" ? tagObj.stringify(node, ctx, onComment, onChompKeep) : identity.isScalar(node) ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep) : node.toString(ctx, onComment, onChompKeep);
      if (!props)
        return str;
      return identity.isScalar(node) || str[0] === "{" || str[0] === "[" ? `${props} ${str}` : `${props}
${ctx.indent}${str}`;
    }
    exports.createStringifyContext = createStringifyContext;
    exports.stringify = stringify;
  }
});

// node_modules/yaml/dist/stringify/stringifyPair.js
var require_stringifyPair = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyPair.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var stringify = require_stringify();
    var stringifyComment = require_stringifyComment();
    function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
      const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
      let keyComment = identity.isNode(key) && key.comment || null;
      if (simpleKeys) {
        if (keyComment) {
          throw new Error("With simple keys, key nodes cannot have comments");
        }
        if (identity.isCollection(key) || !identity.isNode(key) && typeof key === "object") {
          const msg = "With simple keys, collection cannot be used as a key value";
          throw new Error(msg);
        }
      }
      let explicitKey = !simpleKeys && (!key || keyComment && value == null && !ctx.inFlow || identity.isCollection(key) || (identity.isScalar(key) ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL : typeof key === "object"));
      ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent + indentStep
      });
      let keyCommentDone = false;
      let chompKeep = false;
      let str = stringify.stringify(key, ctx, () => keyCommentDone = true, () => chompKeep = true);
      if (!explicitKey && !ctx.inFlow && str.length > 1024) {
        if (simpleKeys)
          throw new Error("With simple keys, single line scalar must not span more than 1024 characters");
        explicitKey = true;
      }
      if (ctx.inFlow) {
        if (allNullValues || value == null) {
          if (keyCommentDone && onComment)
            onComment();
          return str === "" ? "?" : explicitKey ? `? ${str}` : str;
        }
      } else if (allNullValues && !simpleKeys || value == null && explicitKey) {
        str = `? ${str}`;
        if (keyComment && !keyCommentDone) {
          str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        } else if (chompKeep && onChompKeep)
          onChompKeep();
        return str;
      }
      if (keyCommentDone)
        keyComment = null;
      if (explicitKey) {
        if (keyComment)
          str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        str = `? ${str}
${indent}:`;
      } else {
        str = `${str}:`;
        if (keyComment)
          str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
      }
      let vsb, vcb, valueComment;
      if (identity.isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
      } else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === "object")
          value = doc.createNode(value);
      }
      ctx.implicitKey = false;
      if (!explicitKey && !keyComment && identity.isScalar(value))
        ctx.indentAtStart = str.length + 1;
      chompKeep = false;
      if (!indentSeq && indentStep.length >= 2 && !ctx.inFlow && !explicitKey && identity.isSeq(value) && !value.flow && !value.tag && !value.anchor) {
        ctx.indent = ctx.indent.substring(2);
      }
      let valueCommentDone = false;
      const valueStr = stringify.stringify(value, ctx, () => valueCommentDone = true, () => chompKeep = true);
      let ws = " ";
      if (keyComment || vsb || vcb) {
        ws = vsb ? "\n" : "";
        if (vcb) {
          const cs = commentString(vcb);
          ws += `
${stringifyComment.indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === "" && !ctx.inFlow) {
          if (ws === "\n" && valueComment)
            ws = "\n\n";
        } else {
          ws += `
${ctx.indent}`;
        }
      } else if (!explicitKey && identity.isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf("\n");
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
          let hasPropsLine = false;
          if (hasNewline && (vs0 === "&" || vs0 === "!")) {
            let sp0 = valueStr.indexOf(" ");
            if (vs0 === "&" && sp0 !== -1 && sp0 < nl0 && valueStr[sp0 + 1] === "!") {
              sp0 = valueStr.indexOf(" ", sp0 + 1);
            }
            if (sp0 === -1 || nl0 < sp0)
              hasPropsLine = true;
          }
          if (!hasPropsLine)
            ws = `
${ctx.indent}`;
        }
      } else if (valueStr === "" || valueStr[0] === "\n") {
        ws = "";
      }
      str += ws + valueStr;
      if (ctx.inFlow) {
        if (valueCommentDone && onComment)
          onComment();
      } else if (valueComment && !valueCommentDone) {
        str += stringifyComment.lineComment(str, ctx.indent, commentString(valueComment));
      } else if (chompKeep && onChompKeep) {
        onChompKeep();
      }
      return str;
    }
    exports.stringifyPair = stringifyPair;
  }
});

// node_modules/yaml/dist/log.js
var require_log = __commonJS({
  "node_modules/yaml/dist/log.js"(exports) {
    "use strict";
    var node_process = __require("process");
    function debug(logLevel, ...messages) {
      if (logLevel === "debug")
        console.log(...messages);
    }
    function warn(logLevel, warning) {
      if (logLevel === "debug" || logLevel === "warn") {
        if (typeof node_process.emitWarning === "function")
          node_process.emitWarning(warning);
        else
          console.warn(warning);
      }
    }
    exports.debug = debug;
    exports.warn = warn;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/merge.js
var require_merge = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/merge.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var MERGE_KEY = "<<";
    var merge = {
      identify: (value) => value === MERGE_KEY || typeof value === "symbol" && value.description === MERGE_KEY,
      default: "key",
      tag: "tag:yaml.org,2002:merge",
      test: /^<<$/,
      resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
      }),
      stringify: () => MERGE_KEY
    };
    var isMergeKey = (ctx, key) => (merge.identify(key) || identity.isScalar(key) && (!key.type || key.type === Scalar.Scalar.PLAIN) && merge.identify(key.value)) && ctx?.doc.schema.tags.some((tag) => tag.tag === merge.tag && tag.default);
    function addMergeToJSMap(ctx, map, value) {
      const source = resolveAliasValue(ctx, value);
      if (identity.isSeq(source))
        for (const it of source.items)
          mergeValue(ctx, map, it);
      else if (Array.isArray(source))
        for (const it of source)
          mergeValue(ctx, map, it);
      else
        mergeValue(ctx, map, source);
    }
    function mergeValue(ctx, map, value) {
      const source = resolveAliasValue(ctx, value);
      if (!identity.isMap(source))
        throw new Error("Merge sources must be maps or map aliases");
      const srcMap = source.toJSON(null, ctx, Map);
      for (const [key, value2] of srcMap) {
        if (map instanceof Map) {
          if (!map.has(key))
            map.set(key, value2);
        } else if (map instanceof Set) {
          map.add(key);
        } else if (!Object.prototype.hasOwnProperty.call(map, key)) {
          Object.defineProperty(map, key, {
            value: value2,
            writable: true,
            enumerable: true,
            configurable: true
          });
        }
      }
      return map;
    }
    function resolveAliasValue(ctx, value) {
      return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
    }
    exports.addMergeToJSMap = addMergeToJSMap;
    exports.isMergeKey = isMergeKey;
    exports.merge = merge;
  }
});

// node_modules/yaml/dist/nodes/addPairToJSMap.js
var require_addPairToJSMap = __commonJS({
  "node_modules/yaml/dist/nodes/addPairToJSMap.js"(exports) {
    "use strict";
    var log2 = require_log();
    var merge = require_merge();
    var stringify = require_stringify();
    var identity = require_identity();
    var toJS = require_toJS();
    function addPairToJSMap(ctx, map, { key, value }) {
      if (identity.isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
      else if (merge.isMergeKey(ctx, key))
        merge.addMergeToJSMap(ctx, map, value);
      else {
        const jsKey = toJS.toJS(key, "", ctx);
        if (map instanceof Map) {
          map.set(jsKey, toJS.toJS(value, jsKey, ctx));
        } else if (map instanceof Set) {
          map.add(jsKey);
        } else {
          const stringKey = stringifyKey(key, jsKey, ctx);
          const jsValue = toJS.toJS(value, stringKey, ctx);
          if (stringKey in map)
            Object.defineProperty(map, stringKey, {
              value: jsValue,
              writable: true,
              enumerable: true,
              configurable: true
            });
          else
            map[stringKey] = jsValue;
        }
      }
      return map;
    }
    function stringifyKey(key, jsKey, ctx) {
      if (jsKey === null)
        return "";
      if (typeof jsKey !== "object")
        return String(jsKey);
      if (identity.isNode(key) && ctx?.doc) {
        const strCtx = stringify.createStringifyContext(ctx.doc, {});
        strCtx.anchors = /* @__PURE__ */ new Set();
        for (const node of ctx.anchors.keys())
          strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
          let jsonStr = JSON.stringify(strKey);
          if (jsonStr.length > 40)
            jsonStr = jsonStr.substring(0, 36) + '..."';
          log2.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
          ctx.mapKeyWarned = true;
        }
        return strKey;
      }
      return JSON.stringify(jsKey);
    }
    exports.addPairToJSMap = addPairToJSMap;
  }
});

// node_modules/yaml/dist/nodes/Pair.js
var require_Pair = __commonJS({
  "node_modules/yaml/dist/nodes/Pair.js"(exports) {
    "use strict";
    var createNode = require_createNode();
    var stringifyPair = require_stringifyPair();
    var addPairToJSMap = require_addPairToJSMap();
    var identity = require_identity();
    function createPair(key, value, ctx) {
      const k = createNode.createNode(key, void 0, ctx);
      const v = createNode.createNode(value, void 0, ctx);
      return new Pair(k, v);
    }
    var Pair = class _Pair {
      constructor(key, value = null) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
        this.key = key;
        this.value = value;
      }
      clone(schema) {
        let { key, value } = this;
        if (identity.isNode(key))
          key = key.clone(schema);
        if (identity.isNode(value))
          value = value.clone(schema);
        return new _Pair(key, value);
      }
      toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? /* @__PURE__ */ new Map() : {};
        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
      }
      toString(ctx, onComment, onChompKeep) {
        return ctx?.doc ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep) : JSON.stringify(this);
      }
    };
    exports.Pair = Pair;
    exports.createPair = createPair;
  }
});

// node_modules/yaml/dist/stringify/stringifyCollection.js
var require_stringifyCollection = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyCollection.js"(exports) {
    "use strict";
    var identity = require_identity();
    var stringify = require_stringify();
    var stringifyComment = require_stringifyComment();
    function stringifyCollection(collection, ctx, options) {
      const flow = ctx.inFlow ?? collection.flow;
      const stringify2 = flow ? stringifyFlowCollection : stringifyBlockCollection;
      return stringify2(collection, ctx, options);
    }
    function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
      const { indent, options: { commentString } } = ctx;
      const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
      let chompKeep = false;
      const lines = [];
      for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment2 = null;
        if (identity.isNode(item)) {
          if (!chompKeep && item.spaceBefore)
            lines.push("");
          addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
          if (item.comment)
            comment2 = item.comment;
        } else if (identity.isPair(item)) {
          const ik = identity.isNode(item.key) ? item.key : null;
          if (ik) {
            if (!chompKeep && ik.spaceBefore)
              lines.push("");
            addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
          }
        }
        chompKeep = false;
        let str2 = stringify.stringify(item, itemCtx, () => comment2 = null, () => chompKeep = true);
        if (comment2)
          str2 += stringifyComment.lineComment(str2, itemIndent, commentString(comment2));
        if (chompKeep && comment2)
          chompKeep = false;
        lines.push(blockItemPrefix + str2);
      }
      let str;
      if (lines.length === 0) {
        str = flowChars.start + flowChars.end;
      } else {
        str = lines[0];
        for (let i = 1; i < lines.length; ++i) {
          const line = lines[i];
          str += line ? `
${indent}${line}` : "\n";
        }
      }
      if (comment) {
        str += "\n" + stringifyComment.indentComment(commentString(comment), indent);
        if (onComment)
          onComment();
      } else if (chompKeep && onChompKeep)
        onChompKeep();
      return str;
    }
    function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
      const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
      itemIndent += indentStep;
      const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
      });
      let reqNewline = false;
      let linesAtValue = 0;
      const lines = [];
      for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
          if (item.spaceBefore)
            lines.push("");
          addCommentBefore(ctx, lines, item.commentBefore, false);
          if (item.comment)
            comment = item.comment;
        } else if (identity.isPair(item)) {
          const ik = identity.isNode(item.key) ? item.key : null;
          if (ik) {
            if (ik.spaceBefore)
              lines.push("");
            addCommentBefore(ctx, lines, ik.commentBefore, false);
            if (ik.comment)
              reqNewline = true;
          }
          const iv = identity.isNode(item.value) ? item.value : null;
          if (iv) {
            if (iv.comment)
              comment = iv.comment;
            if (iv.commentBefore)
              reqNewline = true;
          } else if (item.value == null && ik?.comment) {
            comment = ik.comment;
          }
        }
        if (comment)
          reqNewline = true;
        let str = stringify.stringify(item, itemCtx, () => comment = null);
        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes("\n"));
        if (i < items.length - 1) {
          str += ",";
        } else if (ctx.options.trailingComma) {
          if (ctx.options.lineWidth > 0) {
            reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) + (str.length + 2) > ctx.options.lineWidth);
          }
          if (reqNewline) {
            str += ",";
          }
        }
        if (comment)
          str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        lines.push(str);
        linesAtValue = lines.length;
      }
      const { start, end } = flowChars;
      if (lines.length === 0) {
        return start + end;
      } else {
        if (!reqNewline) {
          const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
          reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
          let str = start;
          for (const line of lines)
            str += line ? `
${indentStep}${indent}${line}` : "\n";
          return `${str}
${indent}${end}`;
        } else {
          return `${start}${fcPadding}${lines.join(" ")}${fcPadding}${end}`;
        }
      }
    }
    function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
      if (comment && chompKeep)
        comment = comment.replace(/^\n+/, "");
      if (comment) {
        const ic = stringifyComment.indentComment(commentString(comment), indent);
        lines.push(ic.trimStart());
      }
    }
    exports.stringifyCollection = stringifyCollection;
  }
});

// node_modules/yaml/dist/nodes/YAMLMap.js
var require_YAMLMap = __commonJS({
  "node_modules/yaml/dist/nodes/YAMLMap.js"(exports) {
    "use strict";
    var stringifyCollection = require_stringifyCollection();
    var addPairToJSMap = require_addPairToJSMap();
    var Collection = require_Collection();
    var identity = require_identity();
    var Pair = require_Pair();
    var Scalar = require_Scalar();
    function findPair(items, key) {
      const k = identity.isScalar(key) ? key.value : key;
      for (const it of items) {
        if (identity.isPair(it)) {
          if (it.key === key || it.key === k)
            return it;
          if (identity.isScalar(it.key) && it.key.value === k)
            return it;
        }
      }
      return void 0;
    }
    var YAMLMap = class extends Collection.Collection {
      static get tagName() {
        return "tag:yaml.org,2002:map";
      }
      constructor(schema) {
        super(identity.MAP, schema);
        this.items = [];
      }
      /**
       * A generic collection parsing method that can be extended
       * to other node classes that inherit from YAMLMap
       */
      static from(schema, obj, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
          if (typeof replacer === "function")
            value = replacer.call(obj, key, value);
          else if (Array.isArray(replacer) && !replacer.includes(key))
            return;
          if (value !== void 0 || keepUndefined)
            map.items.push(Pair.createPair(key, value, ctx));
        };
        if (obj instanceof Map) {
          for (const [key, value] of obj)
            add(key, value);
        } else if (obj && typeof obj === "object") {
          for (const key of Object.keys(obj))
            add(key, obj[key]);
        }
        if (typeof schema.sortMapEntries === "function") {
          map.items.sort(schema.sortMapEntries);
        }
        return map;
      }
      /**
       * Adds a value to the collection.
       *
       * @param overwrite - If not set `true`, using a key that is already in the
       *   collection will throw. Otherwise, overwrites the previous value.
       */
      add(pair, overwrite) {
        let _pair;
        if (identity.isPair(pair))
          _pair = pair;
        else if (!pair || typeof pair !== "object" || !("key" in pair)) {
          _pair = new Pair.Pair(pair, pair?.value);
        } else
          _pair = new Pair.Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
          if (!overwrite)
            throw new Error(`Key ${_pair.key} already set`);
          if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
            prev.value.value = _pair.value;
          else
            prev.value = _pair.value;
        } else if (sortEntries) {
          const i = this.items.findIndex((item) => sortEntries(_pair, item) < 0);
          if (i === -1)
            this.items.push(_pair);
          else
            this.items.splice(i, 0, _pair);
        } else {
          this.items.push(_pair);
        }
      }
      delete(key) {
        const it = findPair(this.items, key);
        if (!it)
          return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
      }
      get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? void 0;
      }
      has(key) {
        return !!findPair(this.items, key);
      }
      set(key, value) {
        this.add(new Pair.Pair(key, value), true);
      }
      /**
       * @param ctx - Conversion context, originally set in Document#toJS()
       * @param {Class} Type - If set, forces the returned collection type
       * @returns Instance of Type, Map, or Object
       */
      toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? /* @__PURE__ */ new Map() : {};
        if (ctx?.onCreate)
          ctx.onCreate(map);
        for (const item of this.items)
          addPairToJSMap.addPairToJSMap(ctx, map, item);
        return map;
      }
      toString(ctx, onComment, onChompKeep) {
        if (!ctx)
          return JSON.stringify(this);
        for (const item of this.items) {
          if (!identity.isPair(item))
            throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
          ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection.stringifyCollection(this, ctx, {
          blockItemPrefix: "",
          flowChars: { start: "{", end: "}" },
          itemIndent: ctx.indent || "",
          onChompKeep,
          onComment
        });
      }
    };
    exports.YAMLMap = YAMLMap;
    exports.findPair = findPair;
  }
});

// node_modules/yaml/dist/schema/common/map.js
var require_map = __commonJS({
  "node_modules/yaml/dist/schema/common/map.js"(exports) {
    "use strict";
    var identity = require_identity();
    var YAMLMap = require_YAMLMap();
    var map = {
      collection: "map",
      default: true,
      nodeClass: YAMLMap.YAMLMap,
      tag: "tag:yaml.org,2002:map",
      resolve(map2, onError) {
        if (!identity.isMap(map2))
          onError("Expected a mapping for this tag");
        return map2;
      },
      createNode: (schema, obj, ctx) => YAMLMap.YAMLMap.from(schema, obj, ctx)
    };
    exports.map = map;
  }
});

// node_modules/yaml/dist/nodes/YAMLSeq.js
var require_YAMLSeq = __commonJS({
  "node_modules/yaml/dist/nodes/YAMLSeq.js"(exports) {
    "use strict";
    var createNode = require_createNode();
    var stringifyCollection = require_stringifyCollection();
    var Collection = require_Collection();
    var identity = require_identity();
    var Scalar = require_Scalar();
    var toJS = require_toJS();
    var YAMLSeq = class extends Collection.Collection {
      static get tagName() {
        return "tag:yaml.org,2002:seq";
      }
      constructor(schema) {
        super(identity.SEQ, schema);
        this.items = [];
      }
      add(value) {
        this.items.push(value);
      }
      /**
       * Removes a value from the collection.
       *
       * `key` must contain a representation of an integer for this to succeed.
       * It may be wrapped in a `Scalar`.
       *
       * @returns `true` if the item was found and removed.
       */
      delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== "number")
          return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
      }
      get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== "number")
          return void 0;
        const it = this.items[idx];
        return !keepScalar && identity.isScalar(it) ? it.value : it;
      }
      /**
       * Checks if the collection includes a value with the key `key`.
       *
       * `key` must contain a representation of an integer for this to succeed.
       * It may be wrapped in a `Scalar`.
       */
      has(key) {
        const idx = asItemIndex(key);
        return typeof idx === "number" && idx < this.items.length;
      }
      /**
       * Sets a value in this collection. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       *
       * If `key` does not contain a representation of an integer, this will throw.
       * It may be wrapped in a `Scalar`.
       */
      set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== "number")
          throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
          prev.value = value;
        else
          this.items[idx] = value;
      }
      toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
          ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
          seq.push(toJS.toJS(item, String(i++), ctx));
        return seq;
      }
      toString(ctx, onComment, onChompKeep) {
        if (!ctx)
          return JSON.stringify(this);
        return stringifyCollection.stringifyCollection(this, ctx, {
          blockItemPrefix: "- ",
          flowChars: { start: "[", end: "]" },
          itemIndent: (ctx.indent || "") + "  ",
          onChompKeep,
          onComment
        });
      }
      static from(schema, obj, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj && Symbol.iterator in Object(obj)) {
          let i = 0;
          for (let it of obj) {
            if (typeof replacer === "function") {
              const key = obj instanceof Set ? it : String(i++);
              it = replacer.call(obj, key, it);
            }
            seq.items.push(createNode.createNode(it, void 0, ctx));
          }
        }
        return seq;
      }
    };
    function asItemIndex(key) {
      let idx = identity.isScalar(key) ? key.value : key;
      if (idx && typeof idx === "string")
        idx = Number(idx);
      return typeof idx === "number" && Number.isInteger(idx) && idx >= 0 ? idx : null;
    }
    exports.YAMLSeq = YAMLSeq;
  }
});

// node_modules/yaml/dist/schema/common/seq.js
var require_seq = __commonJS({
  "node_modules/yaml/dist/schema/common/seq.js"(exports) {
    "use strict";
    var identity = require_identity();
    var YAMLSeq = require_YAMLSeq();
    var seq = {
      collection: "seq",
      default: true,
      nodeClass: YAMLSeq.YAMLSeq,
      tag: "tag:yaml.org,2002:seq",
      resolve(seq2, onError) {
        if (!identity.isSeq(seq2))
          onError("Expected a sequence for this tag");
        return seq2;
      },
      createNode: (schema, obj, ctx) => YAMLSeq.YAMLSeq.from(schema, obj, ctx)
    };
    exports.seq = seq;
  }
});

// node_modules/yaml/dist/schema/common/string.js
var require_string = __commonJS({
  "node_modules/yaml/dist/schema/common/string.js"(exports) {
    "use strict";
    var stringifyString = require_stringifyString();
    var string = {
      identify: (value) => typeof value === "string",
      default: true,
      tag: "tag:yaml.org,2002:str",
      resolve: (str) => str,
      stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
      }
    };
    exports.string = string;
  }
});

// node_modules/yaml/dist/schema/common/null.js
var require_null = __commonJS({
  "node_modules/yaml/dist/schema/common/null.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var nullTag = {
      identify: (value) => value == null,
      createNode: () => new Scalar.Scalar(null),
      default: true,
      tag: "tag:yaml.org,2002:null",
      test: /^(?:~|[Nn]ull|NULL)?$/,
      resolve: () => new Scalar.Scalar(null),
      stringify: ({ source }, ctx) => typeof source === "string" && nullTag.test.test(source) ? source : ctx.options.nullStr
    };
    exports.nullTag = nullTag;
  }
});

// node_modules/yaml/dist/schema/core/bool.js
var require_bool = __commonJS({
  "node_modules/yaml/dist/schema/core/bool.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var boolTag = {
      identify: (value) => typeof value === "boolean",
      default: true,
      tag: "tag:yaml.org,2002:bool",
      test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
      resolve: (str) => new Scalar.Scalar(str[0] === "t" || str[0] === "T"),
      stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
          const sv = source[0] === "t" || source[0] === "T";
          if (value === sv)
            return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
      }
    };
    exports.boolTag = boolTag;
  }
});

// node_modules/yaml/dist/stringify/stringifyNumber.js
var require_stringifyNumber = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyNumber.js"(exports) {
    "use strict";
    function stringifyNumber({ format, minFractionDigits, tag, value }) {
      if (typeof value === "bigint")
        return String(value);
      const num = typeof value === "number" ? value : Number(value);
      if (!isFinite(num))
        return isNaN(num) ? ".nan" : num < 0 ? "-.inf" : ".inf";
      let n = Object.is(value, -0) ? "-0" : JSON.stringify(value);
      if (!format && minFractionDigits && (!tag || tag === "tag:yaml.org,2002:float") && /^-?\d/.test(n) && !n.includes("e")) {
        let i = n.indexOf(".");
        if (i < 0) {
          i = n.length;
          n += ".";
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
          n += "0";
      }
      return n;
    }
    exports.stringifyNumber = stringifyNumber;
  }
});

// node_modules/yaml/dist/schema/core/float.js
var require_float = __commonJS({
  "node_modules/yaml/dist/schema/core/float.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var stringifyNumber = require_stringifyNumber();
    var floatNaN = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
      resolve: (str) => str.slice(-3).toLowerCase() === "nan" ? NaN : str[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
      stringify: stringifyNumber.stringifyNumber
    };
    var floatExp = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      format: "EXP",
      test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
      resolve: (str) => parseFloat(str),
      stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
      }
    };
    var float = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
      resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str));
        const dot = str.indexOf(".");
        if (dot !== -1 && str[str.length - 1] === "0")
          node.minFractionDigits = str.length - dot - 1;
        return node;
      },
      stringify: stringifyNumber.stringifyNumber
    };
    exports.float = float;
    exports.floatExp = floatExp;
    exports.floatNaN = floatNaN;
  }
});

// node_modules/yaml/dist/schema/core/int.js
var require_int = __commonJS({
  "node_modules/yaml/dist/schema/core/int.js"(exports) {
    "use strict";
    var stringifyNumber = require_stringifyNumber();
    var intIdentify = (value) => typeof value === "bigint" || Number.isInteger(value);
    var intResolve = (str, offset, radix, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix);
    function intStringify(node, radix, prefix) {
      const { value } = node;
      if (intIdentify(value) && value >= 0)
        return prefix + value.toString(radix);
      return stringifyNumber.stringifyNumber(node);
    }
    var intOct = {
      identify: (value) => intIdentify(value) && value >= 0,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "OCT",
      test: /^0o[0-7]+$/,
      resolve: (str, _onError, opt) => intResolve(str, 2, 8, opt),
      stringify: (node) => intStringify(node, 8, "0o")
    };
    var int = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      test: /^[-+]?[0-9]+$/,
      resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
      stringify: stringifyNumber.stringifyNumber
    };
    var intHex = {
      identify: (value) => intIdentify(value) && value >= 0,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "HEX",
      test: /^0x[0-9a-fA-F]+$/,
      resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
      stringify: (node) => intStringify(node, 16, "0x")
    };
    exports.int = int;
    exports.intHex = intHex;
    exports.intOct = intOct;
  }
});

// node_modules/yaml/dist/schema/core/schema.js
var require_schema = __commonJS({
  "node_modules/yaml/dist/schema/core/schema.js"(exports) {
    "use strict";
    var map = require_map();
    var _null = require_null();
    var seq = require_seq();
    var string = require_string();
    var bool = require_bool();
    var float = require_float();
    var int = require_int();
    var schema = [
      map.map,
      seq.seq,
      string.string,
      _null.nullTag,
      bool.boolTag,
      int.intOct,
      int.int,
      int.intHex,
      float.floatNaN,
      float.floatExp,
      float.float
    ];
    exports.schema = schema;
  }
});

// node_modules/yaml/dist/schema/json/schema.js
var require_schema2 = __commonJS({
  "node_modules/yaml/dist/schema/json/schema.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var map = require_map();
    var seq = require_seq();
    function intIdentify(value) {
      return typeof value === "bigint" || Number.isInteger(value);
    }
    var stringifyJSON = ({ value }) => JSON.stringify(value);
    var jsonScalars = [
      {
        identify: (value) => typeof value === "string",
        default: true,
        tag: "tag:yaml.org,2002:str",
        resolve: (str) => str,
        stringify: stringifyJSON
      },
      {
        identify: (value) => value == null,
        createNode: () => new Scalar.Scalar(null),
        default: true,
        tag: "tag:yaml.org,2002:null",
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
      },
      {
        identify: (value) => typeof value === "boolean",
        default: true,
        tag: "tag:yaml.org,2002:bool",
        test: /^true$|^false$/,
        resolve: (str) => str === "true",
        stringify: stringifyJSON
      },
      {
        identify: intIdentify,
        default: true,
        tag: "tag:yaml.org,2002:int",
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
      },
      {
        identify: (value) => typeof value === "number",
        default: true,
        tag: "tag:yaml.org,2002:float",
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: (str) => parseFloat(str),
        stringify: stringifyJSON
      }
    ];
    var jsonError = {
      default: true,
      tag: "",
      test: /^/,
      resolve(str, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
        return str;
      }
    };
    var schema = [map.map, seq.seq].concat(jsonScalars, jsonError);
    exports.schema = schema;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/binary.js
var require_binary = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/binary.js"(exports) {
    "use strict";
    var node_buffer = __require("buffer");
    var Scalar = require_Scalar();
    var stringifyString = require_stringifyString();
    var binary = {
      identify: (value) => value instanceof Uint8Array,
      // Buffer inherits from Uint8Array
      default: false,
      tag: "tag:yaml.org,2002:binary",
      /**
       * Returns a Buffer in node and an Uint8Array in browsers
       *
       * To use the resulting buffer as an image, you'll want to do something like:
       *
       *   const blob = new Blob([buffer], { type: 'image/jpeg' })
       *   document.querySelector('#photo').src = URL.createObjectURL(blob)
       */
      resolve(src, onError) {
        if (typeof node_buffer.Buffer === "function") {
          return node_buffer.Buffer.from(src, "base64");
        } else if (typeof atob === "function") {
          const str = atob(src.replace(/[\n\r]/g, ""));
          const buffer = new Uint8Array(str.length);
          for (let i = 0; i < str.length; ++i)
            buffer[i] = str.charCodeAt(i);
          return buffer;
        } else {
          onError("This environment does not support reading binary tags; either Buffer or atob is required");
          return src;
        }
      },
      stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
          return "";
        const buf = value;
        let str;
        if (typeof node_buffer.Buffer === "function") {
          str = buf instanceof node_buffer.Buffer ? buf.toString("base64") : node_buffer.Buffer.from(buf.buffer).toString("base64");
        } else if (typeof btoa === "function") {
          let s = "";
          for (let i = 0; i < buf.length; ++i)
            s += String.fromCharCode(buf[i]);
          str = btoa(s);
        } else {
          throw new Error("This environment does not support writing binary tags; either Buffer or btoa is required");
        }
        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
          const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
          const n = Math.ceil(str.length / lineWidth);
          const lines = new Array(n);
          for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
            lines[i] = str.substr(o, lineWidth);
          }
          str = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? "\n" : " ");
        }
        return stringifyString.stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
      }
    };
    exports.binary = binary;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/pairs.js
var require_pairs = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/pairs.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Pair = require_Pair();
    var Scalar = require_Scalar();
    var YAMLSeq = require_YAMLSeq();
    function resolvePairs(seq, onError) {
      if (identity.isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
          let item = seq.items[i];
          if (identity.isPair(item))
            continue;
          else if (identity.isMap(item)) {
            if (item.items.length > 1)
              onError("Each pair must have its own sequence indicator");
            const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
            if (item.commentBefore)
              pair.key.commentBefore = pair.key.commentBefore ? `${item.commentBefore}
${pair.key.commentBefore}` : item.commentBefore;
            if (item.comment) {
              const cn = pair.value ?? pair.key;
              cn.comment = cn.comment ? `${item.comment}
${cn.comment}` : item.comment;
            }
            item = pair;
          }
          seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
        }
      } else
        onError("Expected a sequence for this tag");
      return seq;
    }
    function createPairs(schema, iterable, ctx) {
      const { replacer } = ctx;
      const pairs2 = new YAMLSeq.YAMLSeq(schema);
      pairs2.tag = "tag:yaml.org,2002:pairs";
      let i = 0;
      if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
          if (typeof replacer === "function")
            it = replacer.call(iterable, String(i++), it);
          let key, value;
          if (Array.isArray(it)) {
            if (it.length === 2) {
              key = it[0];
              value = it[1];
            } else
              throw new TypeError(`Expected [key, value] tuple: ${it}`);
          } else if (it && it instanceof Object) {
            const keys = Object.keys(it);
            if (keys.length === 1) {
              key = keys[0];
              value = it[key];
            } else {
              throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
            }
          } else {
            key = it;
          }
          pairs2.items.push(Pair.createPair(key, value, ctx));
        }
      return pairs2;
    }
    var pairs = {
      collection: "seq",
      default: false,
      tag: "tag:yaml.org,2002:pairs",
      resolve: resolvePairs,
      createNode: createPairs
    };
    exports.createPairs = createPairs;
    exports.pairs = pairs;
    exports.resolvePairs = resolvePairs;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/omap.js
var require_omap = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/omap.js"(exports) {
    "use strict";
    var identity = require_identity();
    var toJS = require_toJS();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var pairs = require_pairs();
    var YAMLOMap = class _YAMLOMap extends YAMLSeq.YAMLSeq {
      constructor() {
        super();
        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
        this.tag = _YAMLOMap.tag;
      }
      /**
       * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
       * but TypeScript won't allow widening the signature of a child method.
       */
      toJSON(_, ctx) {
        if (!ctx)
          return super.toJSON(_);
        const map = /* @__PURE__ */ new Map();
        if (ctx?.onCreate)
          ctx.onCreate(map);
        for (const pair of this.items) {
          let key, value;
          if (identity.isPair(pair)) {
            key = toJS.toJS(pair.key, "", ctx);
            value = toJS.toJS(pair.value, key, ctx);
          } else {
            key = toJS.toJS(pair, "", ctx);
          }
          if (map.has(key))
            throw new Error("Ordered maps must not include duplicate keys");
          map.set(key, value);
        }
        return map;
      }
      static from(schema, iterable, ctx) {
        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
        const omap2 = new this();
        omap2.items = pairs$1.items;
        return omap2;
      }
    };
    YAMLOMap.tag = "tag:yaml.org,2002:omap";
    var omap = {
      collection: "seq",
      identify: (value) => value instanceof Map,
      nodeClass: YAMLOMap,
      default: false,
      tag: "tag:yaml.org,2002:omap",
      resolve(seq, onError) {
        const pairs$1 = pairs.resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs$1.items) {
          if (identity.isScalar(key)) {
            if (seenKeys.includes(key.value)) {
              onError(`Ordered maps must not include duplicate keys: ${key.value}`);
            } else {
              seenKeys.push(key.value);
            }
          }
        }
        return Object.assign(new YAMLOMap(), pairs$1);
      },
      createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
    };
    exports.YAMLOMap = YAMLOMap;
    exports.omap = omap;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/bool.js
var require_bool2 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/bool.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    function boolStringify({ value, source }, ctx) {
      const boolObj = value ? trueTag : falseTag;
      if (source && boolObj.test.test(source))
        return source;
      return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
    var trueTag = {
      identify: (value) => value === true,
      default: true,
      tag: "tag:yaml.org,2002:bool",
      test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
      resolve: () => new Scalar.Scalar(true),
      stringify: boolStringify
    };
    var falseTag = {
      identify: (value) => value === false,
      default: true,
      tag: "tag:yaml.org,2002:bool",
      test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
      resolve: () => new Scalar.Scalar(false),
      stringify: boolStringify
    };
    exports.falseTag = falseTag;
    exports.trueTag = trueTag;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/float.js
var require_float2 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/float.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var stringifyNumber = require_stringifyNumber();
    var floatNaN = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
      resolve: (str) => str.slice(-3).toLowerCase() === "nan" ? NaN : str[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
      stringify: stringifyNumber.stringifyNumber
    };
    var floatExp = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      format: "EXP",
      test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
      resolve: (str) => parseFloat(str.replace(/_/g, "")),
      stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
      }
    };
    var float = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
      resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str.replace(/_/g, "")));
        const dot = str.indexOf(".");
        if (dot !== -1) {
          const f = str.substring(dot + 1).replace(/_/g, "");
          if (f[f.length - 1] === "0")
            node.minFractionDigits = f.length;
        }
        return node;
      },
      stringify: stringifyNumber.stringifyNumber
    };
    exports.float = float;
    exports.floatExp = floatExp;
    exports.floatNaN = floatNaN;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/int.js
var require_int2 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/int.js"(exports) {
    "use strict";
    var stringifyNumber = require_stringifyNumber();
    var intIdentify = (value) => typeof value === "bigint" || Number.isInteger(value);
    function intResolve(str, offset, radix, { intAsBigInt }) {
      const sign = str[0];
      if (sign === "-" || sign === "+")
        offset += 1;
      str = str.substring(offset).replace(/_/g, "");
      if (intAsBigInt) {
        switch (radix) {
          case 2:
            str = `0b${str}`;
            break;
          case 8:
            str = `0o${str}`;
            break;
          case 16:
            str = `0x${str}`;
            break;
        }
        const n2 = BigInt(str);
        return sign === "-" ? BigInt(-1) * n2 : n2;
      }
      const n = parseInt(str, radix);
      return sign === "-" ? -1 * n : n;
    }
    function intStringify(node, radix, prefix) {
      const { value } = node;
      if (intIdentify(value)) {
        const str = value.toString(radix);
        return value < 0 ? "-" + prefix + str.substr(1) : prefix + str;
      }
      return stringifyNumber.stringifyNumber(node);
    }
    var intBin = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "BIN",
      test: /^[-+]?0b[0-1_]+$/,
      resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
      stringify: (node) => intStringify(node, 2, "0b")
    };
    var intOct = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "OCT",
      test: /^[-+]?0[0-7_]+$/,
      resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
      stringify: (node) => intStringify(node, 8, "0")
    };
    var int = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      test: /^[-+]?[0-9][0-9_]*$/,
      resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
      stringify: stringifyNumber.stringifyNumber
    };
    var intHex = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "HEX",
      test: /^[-+]?0x[0-9a-fA-F_]+$/,
      resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
      stringify: (node) => intStringify(node, 16, "0x")
    };
    exports.int = int;
    exports.intBin = intBin;
    exports.intHex = intHex;
    exports.intOct = intOct;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/set.js
var require_set = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/set.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Pair = require_Pair();
    var YAMLMap = require_YAMLMap();
    var YAMLSet = class _YAMLSet extends YAMLMap.YAMLMap {
      constructor(schema) {
        super(schema);
        this.tag = _YAMLSet.tag;
      }
      add(key) {
        let pair;
        if (identity.isPair(key))
          pair = key;
        else if (key && typeof key === "object" && "key" in key && "value" in key && key.value === null)
          pair = new Pair.Pair(key.key, null);
        else
          pair = new Pair.Pair(key, null);
        const prev = YAMLMap.findPair(this.items, pair.key);
        if (!prev)
          this.items.push(pair);
      }
      /**
       * If `keepPair` is `true`, returns the Pair matching `key`.
       * Otherwise, returns the value of that Pair's key.
       */
      get(key, keepPair) {
        const pair = YAMLMap.findPair(this.items, key);
        return !keepPair && identity.isPair(pair) ? identity.isScalar(pair.key) ? pair.key.value : pair.key : pair;
      }
      set(key, value) {
        if (typeof value !== "boolean")
          throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = YAMLMap.findPair(this.items, key);
        if (prev && !value) {
          this.items.splice(this.items.indexOf(prev), 1);
        } else if (!prev && value) {
          this.items.push(new Pair.Pair(key));
        }
      }
      toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
      }
      toString(ctx, onComment, onChompKeep) {
        if (!ctx)
          return JSON.stringify(this);
        if (this.hasAllNullValues(true))
          return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
          throw new Error("Set items must all have null values");
      }
      static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set2 = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
          for (let value of iterable) {
            if (typeof replacer === "function")
              value = replacer.call(iterable, value, value);
            set2.items.push(Pair.createPair(value, null, ctx));
          }
        return set2;
      }
    };
    YAMLSet.tag = "tag:yaml.org,2002:set";
    var set = {
      collection: "map",
      identify: (value) => value instanceof Set,
      nodeClass: YAMLSet,
      default: false,
      tag: "tag:yaml.org,2002:set",
      createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
      resolve(map, onError) {
        if (identity.isMap(map)) {
          if (map.hasAllNullValues(true))
            return Object.assign(new YAMLSet(), map);
          else
            onError("Set items must all have null values");
        } else
          onError("Expected a mapping for this tag");
        return map;
      }
    };
    exports.YAMLSet = YAMLSet;
    exports.set = set;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/timestamp.js
var require_timestamp = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/timestamp.js"(exports) {
    "use strict";
    var stringifyNumber = require_stringifyNumber();
    function parseSexagesimal(str, asBigInt) {
      const sign = str[0];
      const parts = sign === "-" || sign === "+" ? str.substring(1) : str;
      const num = (n) => asBigInt ? BigInt(n) : Number(n);
      const res = parts.replace(/_/g, "").split(":").reduce((res2, p) => res2 * num(60) + num(p), num(0));
      return sign === "-" ? num(-1) * res : res;
    }
    function stringifySexagesimal(node) {
      let { value } = node;
      let num = (n) => n;
      if (typeof value === "bigint")
        num = (n) => BigInt(n);
      else if (isNaN(value) || !isFinite(value))
        return stringifyNumber.stringifyNumber(node);
      let sign = "";
      if (value < 0) {
        sign = "-";
        value *= num(-1);
      }
      const _60 = num(60);
      const parts = [value % _60];
      if (value < 60) {
        parts.unshift(0);
      } else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60);
        if (value >= 60) {
          value = (value - parts[0]) / _60;
          parts.unshift(value);
        }
      }
      return sign + parts.map((n) => String(n).padStart(2, "0")).join(":").replace(/000000\d*$/, "");
    }
    var intTime = {
      identify: (value) => typeof value === "bigint" || Number.isInteger(value),
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "TIME",
      test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
      resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
      stringify: stringifySexagesimal
    };
    var floatTime = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      format: "TIME",
      test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
      resolve: (str) => parseSexagesimal(str, false),
      stringify: stringifySexagesimal
    };
    var timestamp = {
      identify: (value) => value instanceof Date,
      default: true,
      tag: "tag:yaml.org,2002:timestamp",
      // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
      // may be omitted altogether, resulting in a date format. In such a case, the time part is
      // assumed to be 00:00:00Z (start of day, UTC).
      test: RegExp("^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \\t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$"),
      resolve(str) {
        const match = str.match(timestamp.test);
        if (!match)
          throw new Error("!!timestamp expects a date, starting with yyyy-mm-dd");
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + "00").substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== "Z") {
          let d = parseSexagesimal(tz, false);
          if (Math.abs(d) < 30)
            d *= 60;
          date -= 6e4 * d;
        }
        return new Date(date);
      },
      stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, "") ?? ""
    };
    exports.floatTime = floatTime;
    exports.intTime = intTime;
    exports.timestamp = timestamp;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/schema.js
var require_schema3 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/schema.js"(exports) {
    "use strict";
    var map = require_map();
    var _null = require_null();
    var seq = require_seq();
    var string = require_string();
    var binary = require_binary();
    var bool = require_bool2();
    var float = require_float2();
    var int = require_int2();
    var merge = require_merge();
    var omap = require_omap();
    var pairs = require_pairs();
    var set = require_set();
    var timestamp = require_timestamp();
    var schema = [
      map.map,
      seq.seq,
      string.string,
      _null.nullTag,
      bool.trueTag,
      bool.falseTag,
      int.intBin,
      int.intOct,
      int.int,
      int.intHex,
      float.floatNaN,
      float.floatExp,
      float.float,
      binary.binary,
      merge.merge,
      omap.omap,
      pairs.pairs,
      set.set,
      timestamp.intTime,
      timestamp.floatTime,
      timestamp.timestamp
    ];
    exports.schema = schema;
  }
});

// node_modules/yaml/dist/schema/tags.js
var require_tags = __commonJS({
  "node_modules/yaml/dist/schema/tags.js"(exports) {
    "use strict";
    var map = require_map();
    var _null = require_null();
    var seq = require_seq();
    var string = require_string();
    var bool = require_bool();
    var float = require_float();
    var int = require_int();
    var schema = require_schema();
    var schema$1 = require_schema2();
    var binary = require_binary();
    var merge = require_merge();
    var omap = require_omap();
    var pairs = require_pairs();
    var schema$2 = require_schema3();
    var set = require_set();
    var timestamp = require_timestamp();
    var schemas = /* @__PURE__ */ new Map([
      ["core", schema.schema],
      ["failsafe", [map.map, seq.seq, string.string]],
      ["json", schema$1.schema],
      ["yaml11", schema$2.schema],
      ["yaml-1.1", schema$2.schema]
    ]);
    var tagsByName = {
      binary: binary.binary,
      bool: bool.boolTag,
      float: float.float,
      floatExp: float.floatExp,
      floatNaN: float.floatNaN,
      floatTime: timestamp.floatTime,
      int: int.int,
      intHex: int.intHex,
      intOct: int.intOct,
      intTime: timestamp.intTime,
      map: map.map,
      merge: merge.merge,
      null: _null.nullTag,
      omap: omap.omap,
      pairs: pairs.pairs,
      seq: seq.seq,
      set: set.set,
      timestamp: timestamp.timestamp
    };
    var coreKnownTags = {
      "tag:yaml.org,2002:binary": binary.binary,
      "tag:yaml.org,2002:merge": merge.merge,
      "tag:yaml.org,2002:omap": omap.omap,
      "tag:yaml.org,2002:pairs": pairs.pairs,
      "tag:yaml.org,2002:set": set.set,
      "tag:yaml.org,2002:timestamp": timestamp.timestamp
    };
    function getTags(customTags, schemaName, addMergeTag) {
      const schemaTags = schemas.get(schemaName);
      if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge.merge) ? schemaTags.concat(merge.merge) : schemaTags.slice();
      }
      let tags = schemaTags;
      if (!tags) {
        if (Array.isArray(customTags))
          tags = [];
        else {
          const keys = Array.from(schemas.keys()).filter((key) => key !== "yaml11").map((key) => JSON.stringify(key)).join(", ");
          throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
      }
      if (Array.isArray(customTags)) {
        for (const tag of customTags)
          tags = tags.concat(tag);
      } else if (typeof customTags === "function") {
        tags = customTags(tags.slice());
      }
      if (addMergeTag)
        tags = tags.concat(merge.merge);
      return tags.reduce((tags2, tag) => {
        const tagObj = typeof tag === "string" ? tagsByName[tag] : tag;
        if (!tagObj) {
          const tagName = JSON.stringify(tag);
          const keys = Object.keys(tagsByName).map((key) => JSON.stringify(key)).join(", ");
          throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags2.includes(tagObj))
          tags2.push(tagObj);
        return tags2;
      }, []);
    }
    exports.coreKnownTags = coreKnownTags;
    exports.getTags = getTags;
  }
});

// node_modules/yaml/dist/schema/Schema.js
var require_Schema = __commonJS({
  "node_modules/yaml/dist/schema/Schema.js"(exports) {
    "use strict";
    var identity = require_identity();
    var map = require_map();
    var seq = require_seq();
    var string = require_string();
    var tags = require_tags();
    var sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    var Schema = class _Schema {
      constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat) ? tags.getTags(compat, "compat") : compat ? tags.getTags(null, compat) : null;
        this.name = typeof schema === "string" && schema || "core";
        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
        this.tags = tags.getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, identity.MAP, { value: map.map });
        Object.defineProperty(this, identity.SCALAR, { value: string.string });
        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
        this.sortMapEntries = typeof sortMapEntries === "function" ? sortMapEntries : sortMapEntries === true ? sortMapEntriesByKey : null;
      }
      clone() {
        const copy = Object.create(_Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
      }
    };
    exports.Schema = Schema;
  }
});

// node_modules/yaml/dist/stringify/stringifyDocument.js
var require_stringifyDocument = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyDocument.js"(exports) {
    "use strict";
    var identity = require_identity();
    var stringify = require_stringify();
    var stringifyComment = require_stringifyComment();
    function stringifyDocument(doc, options) {
      const lines = [];
      let hasDirectives = options.directives === true;
      if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
          lines.push(dir);
          hasDirectives = true;
        } else if (doc.directives.docStart)
          hasDirectives = true;
      }
      if (hasDirectives)
        lines.push("---");
      const ctx = stringify.createStringifyContext(doc, options);
      const { commentString } = ctx.options;
      if (doc.commentBefore) {
        if (lines.length !== 1)
          lines.unshift("");
        const cs = commentString(doc.commentBefore);
        lines.unshift(stringifyComment.indentComment(cs, ""));
      }
      let chompKeep = false;
      let contentComment = null;
      if (doc.contents) {
        if (identity.isNode(doc.contents)) {
          if (doc.contents.spaceBefore && hasDirectives)
            lines.push("");
          if (doc.contents.commentBefore) {
            const cs = commentString(doc.contents.commentBefore);
            lines.push(stringifyComment.indentComment(cs, ""));
          }
          ctx.forceBlockIndent = !!doc.comment;
          contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? void 0 : () => chompKeep = true;
        let body = stringify.stringify(doc.contents, ctx, () => contentComment = null, onChompKeep);
        if (contentComment)
          body += stringifyComment.lineComment(body, "", commentString(contentComment));
        if ((body[0] === "|" || body[0] === ">") && lines[lines.length - 1] === "---") {
          lines[lines.length - 1] = `--- ${body}`;
        } else
          lines.push(body);
      } else {
        lines.push(stringify.stringify(doc.contents, ctx));
      }
      if (doc.directives?.docEnd) {
        if (doc.comment) {
          const cs = commentString(doc.comment);
          if (cs.includes("\n")) {
            lines.push("...");
            lines.push(stringifyComment.indentComment(cs, ""));
          } else {
            lines.push(`... ${cs}`);
          }
        } else {
          lines.push("...");
        }
      } else {
        let dc = doc.comment;
        if (dc && chompKeep)
          dc = dc.replace(/^\n+/, "");
        if (dc) {
          if ((!chompKeep || contentComment) && lines[lines.length - 1] !== "")
            lines.push("");
          lines.push(stringifyComment.indentComment(commentString(dc), ""));
        }
      }
      return lines.join("\n") + "\n";
    }
    exports.stringifyDocument = stringifyDocument;
  }
});

// node_modules/yaml/dist/doc/Document.js
var require_Document = __commonJS({
  "node_modules/yaml/dist/doc/Document.js"(exports) {
    "use strict";
    var Alias = require_Alias();
    var Collection = require_Collection();
    var identity = require_identity();
    var Pair = require_Pair();
    var toJS = require_toJS();
    var Schema = require_Schema();
    var stringifyDocument = require_stringifyDocument();
    var anchors = require_anchors();
    var applyReviver = require_applyReviver();
    var createNode = require_createNode();
    var directives = require_directives();
    var Document = class _Document {
      constructor(value, replacer, options) {
        this.commentBefore = null;
        this.comment = null;
        this.errors = [];
        this.warnings = [];
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
        let _replacer = null;
        if (typeof replacer === "function" || Array.isArray(replacer)) {
          _replacer = replacer;
        } else if (options === void 0 && replacer) {
          options = replacer;
          replacer = void 0;
        }
        const opt = Object.assign({
          intAsBigInt: false,
          keepSourceTokens: false,
          logLevel: "warn",
          prettyErrors: true,
          strict: true,
          stringKeys: false,
          uniqueKeys: true,
          version: "1.2"
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
          this.directives = options._directives.atDocument();
          if (this.directives.yaml.explicit)
            version = this.directives.yaml.version;
        } else
          this.directives = new directives.Directives({ version });
        this.setSchema(version, options);
        this.contents = value === void 0 ? null : this.createNode(value, _replacer, options);
      }
      /**
       * Create a deep copy of this Document and its contents.
       *
       * Custom Node values that inherit from `Object` still refer to their original instances.
       */
      clone() {
        const copy = Object.create(_Document.prototype, {
          [identity.NODE_TYPE]: { value: identity.DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
          copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        copy.contents = identity.isNode(this.contents) ? this.contents.clone(copy.schema) : this.contents;
        if (this.range)
          copy.range = this.range.slice();
        return copy;
      }
      /** Adds a value to the document. */
      add(value) {
        if (assertCollection(this.contents))
          this.contents.add(value);
      }
      /** Adds a value to the document. */
      addIn(path, value) {
        if (assertCollection(this.contents))
          this.contents.addIn(path, value);
      }
      /**
       * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
       *
       * If `node` already has an anchor, `name` is ignored.
       * Otherwise, the `node.anchor` value will be set to `name`,
       * or if an anchor with that name is already present in the document,
       * `name` will be used as a prefix for a new unique anchor.
       * If `name` is undefined, the generated anchor will use 'a' as a prefix.
       */
      createAlias(node, name) {
        if (!node.anchor) {
          const prev = anchors.anchorNames(this);
          node.anchor = // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
          !name || prev.has(name) ? anchors.findNewAnchor(name || "a", prev) : name;
        }
        return new Alias.Alias(node.anchor);
      }
      createNode(value, replacer, options) {
        let _replacer = void 0;
        if (typeof replacer === "function") {
          value = replacer.call({ "": value }, "", value);
          _replacer = replacer;
        } else if (Array.isArray(replacer)) {
          const keyToStr = (v) => typeof v === "number" || v instanceof String || v instanceof Number;
          const asStr = replacer.filter(keyToStr).map(String);
          if (asStr.length > 0)
            replacer = replacer.concat(asStr);
          _replacer = replacer;
        } else if (options === void 0 && replacer) {
          options = replacer;
          replacer = void 0;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(
          this,
          // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
          anchorPrefix || "a"
        );
        const ctx = {
          aliasDuplicateObjects: aliasDuplicateObjects ?? true,
          keepUndefined: keepUndefined ?? false,
          onAnchor,
          onTagObj,
          replacer: _replacer,
          schema: this.schema,
          sourceObjects
        };
        const node = createNode.createNode(value, tag, ctx);
        if (flow && identity.isCollection(node))
          node.flow = true;
        setAnchors();
        return node;
      }
      /**
       * Convert a key and a value into a `Pair` using the current schema,
       * recursively wrapping all values as `Scalar` or `Collection` nodes.
       */
      createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair.Pair(k, v);
      }
      /**
       * Removes a value from the document.
       * @returns `true` if the item was found and removed.
       */
      delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
      }
      /**
       * Removes a value from the document.
       * @returns `true` if the item was found and removed.
       */
      deleteIn(path) {
        if (Collection.isEmptyPath(path)) {
          if (this.contents == null)
            return false;
          this.contents = null;
          return true;
        }
        return assertCollection(this.contents) ? this.contents.deleteIn(path) : false;
      }
      /**
       * Returns item at `key`, or `undefined` if not found. By default unwraps
       * scalar values from their surrounding node; to disable set `keepScalar` to
       * `true` (collections are always returned intact).
       */
      get(key, keepScalar) {
        return identity.isCollection(this.contents) ? this.contents.get(key, keepScalar) : void 0;
      }
      /**
       * Returns item at `path`, or `undefined` if not found. By default unwraps
       * scalar values from their surrounding node; to disable set `keepScalar` to
       * `true` (collections are always returned intact).
       */
      getIn(path, keepScalar) {
        if (Collection.isEmptyPath(path))
          return !keepScalar && identity.isScalar(this.contents) ? this.contents.value : this.contents;
        return identity.isCollection(this.contents) ? this.contents.getIn(path, keepScalar) : void 0;
      }
      /**
       * Checks if the document includes a value with the key `key`.
       */
      has(key) {
        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
      }
      /**
       * Checks if the document includes a value at `path`.
       */
      hasIn(path) {
        if (Collection.isEmptyPath(path))
          return this.contents !== void 0;
        return identity.isCollection(this.contents) ? this.contents.hasIn(path) : false;
      }
      /**
       * Sets a value in this document. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       */
      set(key, value) {
        if (this.contents == null) {
          this.contents = Collection.collectionFromPath(this.schema, [key], value);
        } else if (assertCollection(this.contents)) {
          this.contents.set(key, value);
        }
      }
      /**
       * Sets a value in this document. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       */
      setIn(path, value) {
        if (Collection.isEmptyPath(path)) {
          this.contents = value;
        } else if (this.contents == null) {
          this.contents = Collection.collectionFromPath(this.schema, Array.from(path), value);
        } else if (assertCollection(this.contents)) {
          this.contents.setIn(path, value);
        }
      }
      /**
       * Change the YAML version and schema used by the document.
       * A `null` version disables support for directives, explicit tags, anchors, and aliases.
       * It also requires the `schema` option to be given as a `Schema` instance value.
       *
       * Overrides all previously set schema options.
       */
      setSchema(version, options = {}) {
        if (typeof version === "number")
          version = String(version);
        let opt;
        switch (version) {
          case "1.1":
            if (this.directives)
              this.directives.yaml.version = "1.1";
            else
              this.directives = new directives.Directives({ version: "1.1" });
            opt = { resolveKnownTags: false, schema: "yaml-1.1" };
            break;
          case "1.2":
          case "next":
            if (this.directives)
              this.directives.yaml.version = version;
            else
              this.directives = new directives.Directives({ version });
            opt = { resolveKnownTags: true, schema: "core" };
            break;
          case null:
            if (this.directives)
              delete this.directives;
            opt = null;
            break;
          default: {
            const sv = JSON.stringify(version);
            throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
          }
        }
        if (options.schema instanceof Object)
          this.schema = options.schema;
        else if (opt)
          this.schema = new Schema.Schema(Object.assign(opt, options));
        else
          throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
      }
      // json & jsonArg are only used from toJSON()
      toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
          anchors: /* @__PURE__ */ new Map(),
          doc: this,
          keep: !json,
          mapAsMap: mapAsMap === true,
          mapKeyWarned: false,
          maxAliasCount: typeof maxAliasCount === "number" ? maxAliasCount : 100
        };
        const res = toJS.toJS(this.contents, jsonArg ?? "", ctx);
        if (typeof onAnchor === "function")
          for (const { count, res: res2 } of ctx.anchors.values())
            onAnchor(res2, count);
        return typeof reviver === "function" ? applyReviver.applyReviver(reviver, { "": res }, "", res) : res;
      }
      /**
       * A JSON representation of the document `contents`.
       *
       * @param jsonArg Used by `JSON.stringify` to indicate the array index or
       *   property name.
       */
      toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
      }
      /** A YAML representation of the document. */
      toString(options = {}) {
        if (this.errors.length > 0)
          throw new Error("Document with errors cannot be stringified");
        if ("indent" in options && (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
          const s = JSON.stringify(options.indent);
          throw new Error(`"indent" option must be a positive integer, not ${s}`);
        }
        return stringifyDocument.stringifyDocument(this, options);
      }
    };
    function assertCollection(contents) {
      if (identity.isCollection(contents))
        return true;
      throw new Error("Expected a YAML collection as document contents");
    }
    exports.Document = Document;
  }
});

// node_modules/yaml/dist/errors.js
var require_errors = __commonJS({
  "node_modules/yaml/dist/errors.js"(exports) {
    "use strict";
    var YAMLError = class extends Error {
      constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
      }
    };
    var YAMLParseError = class extends YAMLError {
      constructor(pos, code, message) {
        super("YAMLParseError", pos, code, message);
      }
    };
    var YAMLWarning = class extends YAMLError {
      constructor(pos, code, message) {
        super("YAMLWarning", pos, code, message);
      }
    };
    var prettifyError = (src, lc) => (error) => {
      if (error.pos[0] === -1)
        return;
      error.linePos = error.pos.map((pos) => lc.linePos(pos));
      const { line, col } = error.linePos[0];
      error.message += ` at line ${line}, column ${col}`;
      let ci = col - 1;
      let lineStr = src.substring(lc.lineStarts[line - 1], lc.lineStarts[line]).replace(/[\n\r]+$/, "");
      if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = "\u2026" + lineStr.substring(trimStart);
        ci -= trimStart - 1;
      }
      if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + "\u2026";
      if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
          prev = prev.substring(0, 79) + "\u2026\n";
        lineStr = prev + lineStr;
      }
      if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col) {
          count = Math.max(1, Math.min(end.col - col, 80 - ci));
        }
        const pointer = " ".repeat(ci) + "^".repeat(count);
        error.message += `:

${lineStr}
${pointer}
`;
      }
    };
    exports.YAMLError = YAMLError;
    exports.YAMLParseError = YAMLParseError;
    exports.YAMLWarning = YAMLWarning;
    exports.prettifyError = prettifyError;
  }
});

// node_modules/yaml/dist/compose/resolve-props.js
var require_resolve_props = __commonJS({
  "node_modules/yaml/dist/compose/resolve-props.js"(exports) {
    "use strict";
    function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
      let spaceBefore = false;
      let atNewline = startOnNewline;
      let hasSpace = startOnNewline;
      let comment = "";
      let commentSep = "";
      let hasNewline = false;
      let reqSpace = false;
      let tab = null;
      let anchor = null;
      let tag = null;
      let newlineAfterProp = null;
      let comma = null;
      let found = null;
      let start = null;
      for (const token of tokens) {
        if (reqSpace) {
          if (token.type !== "space" && token.type !== "newline" && token.type !== "comma")
            onError(token.offset, "MISSING_CHAR", "Tags and anchors must be separated from the next token by white space");
          reqSpace = false;
        }
        if (tab) {
          if (atNewline && token.type !== "comment" && token.type !== "newline") {
            onError(tab, "TAB_AS_INDENT", "Tabs are not allowed as indentation");
          }
          tab = null;
        }
        switch (token.type) {
          case "space":
            if (!flow && (indicator !== "doc-start" || next?.type !== "flow-collection") && token.source.includes("	")) {
              tab = token;
            }
            hasSpace = true;
            break;
          case "comment": {
            if (!hasSpace)
              onError(token, "MISSING_CHAR", "Comments must be separated from other tokens by white space characters");
            const cb = token.source.substring(1) || " ";
            if (!comment)
              comment = cb;
            else
              comment += commentSep + cb;
            commentSep = "";
            atNewline = false;
            break;
          }
          case "newline":
            if (atNewline) {
              if (comment)
                comment += token.source;
              else if (!found || indicator !== "seq-item-ind")
                spaceBefore = true;
            } else
              commentSep += token.source;
            atNewline = true;
            hasNewline = true;
            if (anchor || tag)
              newlineAfterProp = token;
            hasSpace = true;
            break;
          case "anchor":
            if (anchor)
              onError(token, "MULTIPLE_ANCHORS", "A node can have at most one anchor");
            if (token.source.endsWith(":"))
              onError(token.offset + token.source.length - 1, "BAD_ALIAS", "Anchor ending in : is ambiguous", true);
            anchor = token;
            start ?? (start = token.offset);
            atNewline = false;
            hasSpace = false;
            reqSpace = true;
            break;
          case "tag": {
            if (tag)
              onError(token, "MULTIPLE_TAGS", "A node can have at most one tag");
            tag = token;
            start ?? (start = token.offset);
            atNewline = false;
            hasSpace = false;
            reqSpace = true;
            break;
          }
          case indicator:
            if (anchor || tag)
              onError(token, "BAD_PROP_ORDER", `Anchors and tags must be after the ${token.source} indicator`);
            if (found)
              onError(token, "UNEXPECTED_TOKEN", `Unexpected ${token.source} in ${flow ?? "collection"}`);
            found = token;
            atNewline = indicator === "seq-item-ind" || indicator === "explicit-key-ind";
            hasSpace = false;
            break;
          case "comma":
            if (flow) {
              if (comma)
                onError(token, "UNEXPECTED_TOKEN", `Unexpected , in ${flow}`);
              comma = token;
              atNewline = false;
              hasSpace = false;
              break;
            }
          // else fallthrough
          default:
            onError(token, "UNEXPECTED_TOKEN", `Unexpected ${token.type} token`);
            atNewline = false;
            hasSpace = false;
        }
      }
      const last = tokens[tokens.length - 1];
      const end = last ? last.offset + last.source.length : offset;
      if (reqSpace && next && next.type !== "space" && next.type !== "newline" && next.type !== "comma" && (next.type !== "scalar" || next.source !== "")) {
        onError(next.offset, "MISSING_CHAR", "Tags and anchors must be separated from the next token by white space");
      }
      if (tab && (atNewline && tab.indent <= parentIndent || next?.type === "block-map" || next?.type === "block-seq"))
        onError(tab, "TAB_AS_INDENT", "Tabs are not allowed as indentation");
      return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
      };
    }
    exports.resolveProps = resolveProps;
  }
});

// node_modules/yaml/dist/compose/util-contains-newline.js
var require_util_contains_newline = __commonJS({
  "node_modules/yaml/dist/compose/util-contains-newline.js"(exports) {
    "use strict";
    function containsNewline(key) {
      if (!key)
        return null;
      switch (key.type) {
        case "alias":
        case "scalar":
        case "double-quoted-scalar":
        case "single-quoted-scalar":
          if (key.source.includes("\n"))
            return true;
          if (key.end) {
            for (const st of key.end)
              if (st.type === "newline")
                return true;
          }
          return false;
        case "flow-collection":
          for (const it of key.items) {
            for (const st of it.start)
              if (st.type === "newline")
                return true;
            if (it.sep) {
              for (const st of it.sep)
                if (st.type === "newline")
                  return true;
            }
            if (containsNewline(it.key) || containsNewline(it.value))
              return true;
          }
          return false;
        default:
          return true;
      }
    }
    exports.containsNewline = containsNewline;
  }
});

// node_modules/yaml/dist/compose/util-flow-indent-check.js
var require_util_flow_indent_check = __commonJS({
  "node_modules/yaml/dist/compose/util-flow-indent-check.js"(exports) {
    "use strict";
    var utilContainsNewline = require_util_contains_newline();
    function flowIndentCheck(indent, fc, onError) {
      if (fc?.type === "flow-collection") {
        const end = fc.end[0];
        if (end.indent === indent && (end.source === "]" || end.source === "}") && utilContainsNewline.containsNewline(fc)) {
          const msg = "Flow end indicator should be more indented than parent";
          onError(end, "BAD_INDENT", msg, true);
        }
      }
    }
    exports.flowIndentCheck = flowIndentCheck;
  }
});

// node_modules/yaml/dist/compose/util-map-includes.js
var require_util_map_includes = __commonJS({
  "node_modules/yaml/dist/compose/util-map-includes.js"(exports) {
    "use strict";
    var identity = require_identity();
    function mapIncludes(ctx, items, search) {
      const { uniqueKeys } = ctx.options;
      if (uniqueKeys === false)
        return false;
      const isEqual = typeof uniqueKeys === "function" ? uniqueKeys : (a, b) => a === b || identity.isScalar(a) && identity.isScalar(b) && a.value === b.value;
      return items.some((pair) => isEqual(pair.key, search));
    }
    exports.mapIncludes = mapIncludes;
  }
});

// node_modules/yaml/dist/compose/resolve-block-map.js
var require_resolve_block_map = __commonJS({
  "node_modules/yaml/dist/compose/resolve-block-map.js"(exports) {
    "use strict";
    var Pair = require_Pair();
    var YAMLMap = require_YAMLMap();
    var resolveProps = require_resolve_props();
    var utilContainsNewline = require_util_contains_newline();
    var utilFlowIndentCheck = require_util_flow_indent_check();
    var utilMapIncludes = require_util_map_includes();
    var startColMsg = "All mapping items must start at the same column";
    function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
      const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
      const map = new NodeClass(ctx.schema);
      if (ctx.atRoot)
        ctx.atRoot = false;
      let offset = bm.offset;
      let commentEnd = null;
      for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        const keyProps = resolveProps.resolveProps(start, {
          indicator: "explicit-key-ind",
          next: key ?? sep?.[0],
          offset,
          onError,
          parentIndent: bm.indent,
          startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
          if (key) {
            if (key.type === "block-seq")
              onError(offset, "BLOCK_AS_IMPLICIT_KEY", "A block sequence may not be used as an implicit map key");
            else if ("indent" in key && key.indent !== bm.indent)
              onError(offset, "BAD_INDENT", startColMsg);
          }
          if (!keyProps.anchor && !keyProps.tag && !sep) {
            commentEnd = keyProps.end;
            if (keyProps.comment) {
              if (map.comment)
                map.comment += "\n" + keyProps.comment;
              else
                map.comment = keyProps.comment;
            }
            continue;
          }
          if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
            onError(key ?? start[start.length - 1], "MULTILINE_IMPLICIT_KEY", "Implicit keys need to be on a single line");
          }
        } else if (keyProps.found?.indent !== bm.indent) {
          onError(offset, "BAD_INDENT", startColMsg);
        }
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key ? composeNode(ctx, key, keyProps, onError) : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
          utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
          onError(keyStart, "DUPLICATE_KEY", "Map keys must be unique");
        const valueProps = resolveProps.resolveProps(sep ?? [], {
          indicator: "map-value-ind",
          next: value,
          offset: keyNode.range[2],
          onError,
          parentIndent: bm.indent,
          startOnNewline: !key || key.type === "block-scalar"
        });
        offset = valueProps.end;
        if (valueProps.found) {
          if (implicitKey) {
            if (value?.type === "block-map" && !valueProps.hasNewline)
              onError(offset, "BLOCK_AS_IMPLICIT_KEY", "Nested mappings are not allowed in compact mappings");
            if (ctx.options.strict && keyProps.start < valueProps.found.offset - 1024)
              onError(keyNode.range, "KEY_OVER_1024_CHARS", "The : indicator must be at most 1024 chars after the start of an implicit block mapping key");
          }
          const valueNode = value ? composeNode(ctx, value, valueProps, onError) : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
          if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
          offset = valueNode.range[2];
          const pair = new Pair.Pair(keyNode, valueNode);
          if (ctx.options.keepSourceTokens)
            pair.srcToken = collItem;
          map.items.push(pair);
        } else {
          if (implicitKey)
            onError(keyNode.range, "MISSING_CHAR", "Implicit map keys need to be followed by map values");
          if (valueProps.comment) {
            if (keyNode.comment)
              keyNode.comment += "\n" + valueProps.comment;
            else
              keyNode.comment = valueProps.comment;
          }
          const pair = new Pair.Pair(keyNode);
          if (ctx.options.keepSourceTokens)
            pair.srcToken = collItem;
          map.items.push(pair);
        }
      }
      if (commentEnd && commentEnd < offset)
        onError(commentEnd, "IMPOSSIBLE", "Map comment with trailing content");
      map.range = [bm.offset, offset, commentEnd ?? offset];
      return map;
    }
    exports.resolveBlockMap = resolveBlockMap;
  }
});

// node_modules/yaml/dist/compose/resolve-block-seq.js
var require_resolve_block_seq = __commonJS({
  "node_modules/yaml/dist/compose/resolve-block-seq.js"(exports) {
    "use strict";
    var YAMLSeq = require_YAMLSeq();
    var resolveProps = require_resolve_props();
    var utilFlowIndentCheck = require_util_flow_indent_check();
    function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
      const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
      const seq = new NodeClass(ctx.schema);
      if (ctx.atRoot)
        ctx.atRoot = false;
      if (ctx.atKey)
        ctx.atKey = false;
      let offset = bs.offset;
      let commentEnd = null;
      for (const { start, value } of bs.items) {
        const props = resolveProps.resolveProps(start, {
          indicator: "seq-item-ind",
          next: value,
          offset,
          onError,
          parentIndent: bs.indent,
          startOnNewline: true
        });
        if (!props.found) {
          if (props.anchor || props.tag || value) {
            if (value?.type === "block-seq")
              onError(props.end, "BAD_INDENT", "All sequence items must start at the same column");
            else
              onError(offset, "MISSING_CHAR", "Sequence item without - indicator");
          } else {
            commentEnd = props.end;
            if (props.comment)
              seq.comment = props.comment;
            continue;
          }
        }
        const node = value ? composeNode(ctx, value, props, onError) : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
          utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
      }
      seq.range = [bs.offset, offset, commentEnd ?? offset];
      return seq;
    }
    exports.resolveBlockSeq = resolveBlockSeq;
  }
});

// node_modules/yaml/dist/compose/resolve-end.js
var require_resolve_end = __commonJS({
  "node_modules/yaml/dist/compose/resolve-end.js"(exports) {
    "use strict";
    function resolveEnd(end, offset, reqSpace, onError) {
      let comment = "";
      if (end) {
        let hasSpace = false;
        let sep = "";
        for (const token of end) {
          const { source, type } = token;
          switch (type) {
            case "space":
              hasSpace = true;
              break;
            case "comment": {
              if (reqSpace && !hasSpace)
                onError(token, "MISSING_CHAR", "Comments must be separated from other tokens by white space characters");
              const cb = source.substring(1) || " ";
              if (!comment)
                comment = cb;
              else
                comment += sep + cb;
              sep = "";
              break;
            }
            case "newline":
              if (comment)
                sep += source;
              hasSpace = true;
              break;
            default:
              onError(token, "UNEXPECTED_TOKEN", `Unexpected ${type} at node end`);
          }
          offset += source.length;
        }
      }
      return { comment, offset };
    }
    exports.resolveEnd = resolveEnd;
  }
});

// node_modules/yaml/dist/compose/resolve-flow-collection.js
var require_resolve_flow_collection = __commonJS({
  "node_modules/yaml/dist/compose/resolve-flow-collection.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Pair = require_Pair();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var resolveEnd = require_resolve_end();
    var resolveProps = require_resolve_props();
    var utilContainsNewline = require_util_contains_newline();
    var utilMapIncludes = require_util_map_includes();
    var blockMsg = "Block collections are not allowed within flow collections";
    var isBlock = (token) => token && (token.type === "block-map" || token.type === "block-seq");
    function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
      const isMap2 = fc.start.source === "{";
      const fcName = isMap2 ? "flow map" : "flow sequence";
      const NodeClass = tag?.nodeClass ?? (isMap2 ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq);
      const coll = new NodeClass(ctx.schema);
      coll.flow = true;
      const atRoot = ctx.atRoot;
      if (atRoot)
        ctx.atRoot = false;
      if (ctx.atKey)
        ctx.atKey = false;
      let offset = fc.offset + fc.start.source.length;
      for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps.resolveProps(start, {
          flow: fcName,
          indicator: "explicit-key-ind",
          next: key ?? sep?.[0],
          offset,
          onError,
          parentIndent: fc.indent,
          startOnNewline: false
        });
        if (!props.found) {
          if (!props.anchor && !props.tag && !sep && !value) {
            if (i === 0 && props.comma)
              onError(props.comma, "UNEXPECTED_TOKEN", `Unexpected , in ${fcName}`);
            else if (i < fc.items.length - 1)
              onError(props.start, "UNEXPECTED_TOKEN", `Unexpected empty item in ${fcName}`);
            if (props.comment) {
              if (coll.comment)
                coll.comment += "\n" + props.comment;
              else
                coll.comment = props.comment;
            }
            offset = props.end;
            continue;
          }
          if (!isMap2 && ctx.options.strict && utilContainsNewline.containsNewline(key))
            onError(
              key,
              // checked by containsNewline()
              "MULTILINE_IMPLICIT_KEY",
              "Implicit keys of flow sequence pairs need to be on a single line"
            );
        }
        if (i === 0) {
          if (props.comma)
            onError(props.comma, "UNEXPECTED_TOKEN", `Unexpected , in ${fcName}`);
        } else {
          if (!props.comma)
            onError(props.start, "MISSING_CHAR", `Missing , between ${fcName} items`);
          if (props.comment) {
            let prevItemComment = "";
            loop: for (const st of start) {
              switch (st.type) {
                case "comma":
                case "space":
                  break;
                case "comment":
                  prevItemComment = st.source.substring(1);
                  break loop;
                default:
                  break loop;
              }
            }
            if (prevItemComment) {
              let prev = coll.items[coll.items.length - 1];
              if (identity.isPair(prev))
                prev = prev.value ?? prev.key;
              if (prev.comment)
                prev.comment += "\n" + prevItemComment;
              else
                prev.comment = prevItemComment;
              props.comment = props.comment.substring(prevItemComment.length + 1);
            }
          }
        }
        if (!isMap2 && !sep && !props.found) {
          const valueNode = value ? composeNode(ctx, value, props, onError) : composeEmptyNode(ctx, props.end, sep, null, props, onError);
          coll.items.push(valueNode);
          offset = valueNode.range[2];
          if (isBlock(value))
            onError(valueNode.range, "BLOCK_IN_FLOW", blockMsg);
        } else {
          ctx.atKey = true;
          const keyStart = props.end;
          const keyNode = key ? composeNode(ctx, key, props, onError) : composeEmptyNode(ctx, keyStart, start, null, props, onError);
          if (isBlock(key))
            onError(keyNode.range, "BLOCK_IN_FLOW", blockMsg);
          ctx.atKey = false;
          const valueProps = resolveProps.resolveProps(sep ?? [], {
            flow: fcName,
            indicator: "map-value-ind",
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
          });
          if (valueProps.found) {
            if (!isMap2 && !props.found && ctx.options.strict) {
              if (sep)
                for (const st of sep) {
                  if (st === valueProps.found)
                    break;
                  if (st.type === "newline") {
                    onError(st, "MULTILINE_IMPLICIT_KEY", "Implicit keys of flow sequence pairs need to be on a single line");
                    break;
                  }
                }
              if (props.start < valueProps.found.offset - 1024)
                onError(valueProps.found, "KEY_OVER_1024_CHARS", "The : indicator must be at most 1024 chars after the start of an implicit flow sequence key");
            }
          } else if (value) {
            if ("source" in value && value.source?.[0] === ":")
              onError(value, "MISSING_CHAR", `Missing space after : in ${fcName}`);
            else
              onError(valueProps.start, "MISSING_CHAR", `Missing , or : between ${fcName} items`);
          }
          const valueNode = value ? composeNode(ctx, value, valueProps, onError) : valueProps.found ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError) : null;
          if (valueNode) {
            if (isBlock(value))
              onError(valueNode.range, "BLOCK_IN_FLOW", blockMsg);
          } else if (valueProps.comment) {
            if (keyNode.comment)
              keyNode.comment += "\n" + valueProps.comment;
            else
              keyNode.comment = valueProps.comment;
          }
          const pair = new Pair.Pair(keyNode, valueNode);
          if (ctx.options.keepSourceTokens)
            pair.srcToken = collItem;
          if (isMap2) {
            const map = coll;
            if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
              onError(keyStart, "DUPLICATE_KEY", "Map keys must be unique");
            map.items.push(pair);
          } else {
            const map = new YAMLMap.YAMLMap(ctx.schema);
            map.flow = true;
            map.items.push(pair);
            const endRange = (valueNode ?? keyNode).range;
            map.range = [keyNode.range[0], endRange[1], endRange[2]];
            coll.items.push(map);
          }
          offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
      }
      const expectedEnd = isMap2 ? "}" : "]";
      const [ce, ...ee] = fc.end;
      let cePos = offset;
      if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
      else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot ? `${name} must end with a ${expectedEnd}` : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? "MISSING_CHAR" : "BAD_INDENT", msg);
        if (ce && ce.source.length !== 1)
          ee.unshift(ce);
      }
      if (ee.length > 0) {
        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
          if (coll.comment)
            coll.comment += "\n" + end.comment;
          else
            coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
      } else {
        coll.range = [fc.offset, cePos, cePos];
      }
      return coll;
    }
    exports.resolveFlowCollection = resolveFlowCollection;
  }
});

// node_modules/yaml/dist/compose/compose-collection.js
var require_compose_collection = __commonJS({
  "node_modules/yaml/dist/compose/compose-collection.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var resolveBlockMap = require_resolve_block_map();
    var resolveBlockSeq = require_resolve_block_seq();
    var resolveFlowCollection = require_resolve_flow_collection();
    function resolveCollection(CN, ctx, token, onError, tagName, tag) {
      const coll = token.type === "block-map" ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag) : token.type === "block-seq" ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag) : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
      const Coll = coll.constructor;
      if (tagName === "!" || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
      }
      if (tagName)
        coll.tag = tagName;
      return coll;
    }
    function composeCollection(CN, ctx, token, props, onError) {
      const tagToken = props.tag;
      const tagName = !tagToken ? null : ctx.directives.tagName(tagToken.source, (msg) => onError(tagToken, "TAG_RESOLVE_FAILED", msg));
      if (token.type === "block-seq") {
        const { anchor, newlineAfterProp: nl } = props;
        const lastProp = anchor && tagToken ? anchor.offset > tagToken.offset ? anchor : tagToken : anchor ?? tagToken;
        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
          const message = "Missing newline after block sequence props";
          onError(lastProp, "MISSING_CHAR", message);
        }
      }
      const expType = token.type === "block-map" ? "map" : token.type === "block-seq" ? "seq" : token.start.source === "{" ? "map" : "seq";
      if (!tagToken || !tagName || tagName === "!" || tagName === YAMLMap.YAMLMap.tagName && expType === "map" || tagName === YAMLSeq.YAMLSeq.tagName && expType === "seq") {
        return resolveCollection(CN, ctx, token, onError, tagName);
      }
      let tag = ctx.schema.tags.find((t) => t.tag === tagName && t.collection === expType);
      if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
          ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
          tag = kt;
        } else {
          if (kt) {
            onError(tagToken, "BAD_COLLECTION_TYPE", `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? "scalar"}`, true);
          } else {
            onError(tagToken, "TAG_RESOLVE_FAILED", `Unresolved tag: ${tagName}`, true);
          }
          return resolveCollection(CN, ctx, token, onError, tagName);
        }
      }
      const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
      const res = tag.resolve?.(coll, (msg) => onError(tagToken, "TAG_RESOLVE_FAILED", msg), ctx.options) ?? coll;
      const node = identity.isNode(res) ? res : new Scalar.Scalar(res);
      node.range = coll.range;
      node.tag = tagName;
      if (tag?.format)
        node.format = tag.format;
      return node;
    }
    exports.composeCollection = composeCollection;
  }
});

// node_modules/yaml/dist/compose/resolve-block-scalar.js
var require_resolve_block_scalar = __commonJS({
  "node_modules/yaml/dist/compose/resolve-block-scalar.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    function resolveBlockScalar(ctx, scalar, onError) {
      const start = scalar.offset;
      const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
      if (!header)
        return { value: "", type: null, comment: "", range: [start, start, start] };
      const type = header.mode === ">" ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
      const lines = scalar.source ? splitLines(scalar.source) : [];
      let chompStart = lines.length;
      for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === "" || content === "\r")
          chompStart = i;
        else
          break;
      }
      if (chompStart === 0) {
        const value2 = header.chomp === "+" && lines.length > 0 ? "\n".repeat(Math.max(1, lines.length - 1)) : "";
        let end2 = start + header.length;
        if (scalar.source)
          end2 += scalar.source.length;
        return { value: value2, type, comment: header.comment, range: [start, end2, end2] };
      }
      let trimIndent = scalar.indent + header.indent;
      let offset = scalar.offset + header.length;
      let contentStart = 0;
      for (let i = 0; i < chompStart; ++i) {
        const [indent, content] = lines[i];
        if (content === "" || content === "\r") {
          if (header.indent === 0 && indent.length > trimIndent)
            trimIndent = indent.length;
        } else {
          if (indent.length < trimIndent) {
            const message = "Block scalars with more-indented leading empty lines must use an explicit indentation indicator";
            onError(offset + indent.length, "MISSING_CHAR", message);
          }
          if (header.indent === 0)
            trimIndent = indent.length;
          contentStart = i;
          if (trimIndent === 0 && !ctx.atRoot) {
            const message = "Block scalar values in collections must be indented";
            onError(offset, "BAD_INDENT", message);
          }
          break;
        }
        offset += indent.length + content.length + 1;
      }
      for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
          chompStart = i + 1;
      }
      let value = "";
      let sep = "";
      let prevMoreIndented = false;
      for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + "\n";
      for (let i = contentStart; i < chompStart; ++i) {
        let [indent, content] = lines[i];
        offset += indent.length + content.length + 1;
        const crlf = content[content.length - 1] === "\r";
        if (crlf)
          content = content.slice(0, -1);
        if (content && indent.length < trimIndent) {
          const src = header.indent ? "explicit indentation indicator" : "first line";
          const message = `Block scalar lines must not be less indented than their ${src}`;
          onError(offset - content.length - (crlf ? 2 : 1), "BAD_INDENT", message);
          indent = "";
        }
        if (type === Scalar.Scalar.BLOCK_LITERAL) {
          value += sep + indent.slice(trimIndent) + content;
          sep = "\n";
        } else if (indent.length > trimIndent || content[0] === "	") {
          if (sep === " ")
            sep = "\n";
          else if (!prevMoreIndented && sep === "\n")
            sep = "\n\n";
          value += sep + indent.slice(trimIndent) + content;
          sep = "\n";
          prevMoreIndented = true;
        } else if (content === "") {
          if (sep === "\n")
            value += "\n";
          else
            sep = "\n";
        } else {
          value += sep + content;
          sep = " ";
          prevMoreIndented = false;
        }
      }
      switch (header.chomp) {
        case "-":
          break;
        case "+":
          for (let i = chompStart; i < lines.length; ++i)
            value += "\n" + lines[i][0].slice(trimIndent);
          if (value[value.length - 1] !== "\n")
            value += "\n";
          break;
        default:
          value += "\n";
      }
      const end = start + header.length + scalar.source.length;
      return { value, type, comment: header.comment, range: [start, end, end] };
    }
    function parseBlockScalarHeader({ offset, props }, strict, onError) {
      if (props[0].type !== "block-scalar-header") {
        onError(props[0], "IMPOSSIBLE", "Block scalar header not found");
        return null;
      }
      const { source } = props[0];
      const mode = source[0];
      let indent = 0;
      let chomp = "";
      let error = -1;
      for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === "-" || ch === "+"))
          chomp = ch;
        else {
          const n = Number(ch);
          if (!indent && n)
            indent = n;
          else if (error === -1)
            error = offset + i;
        }
      }
      if (error !== -1)
        onError(error, "UNEXPECTED_TOKEN", `Block scalar header includes extra characters: ${source}`);
      let hasSpace = false;
      let comment = "";
      let length = source.length;
      for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
          case "space":
            hasSpace = true;
          // fallthrough
          case "newline":
            length += token.source.length;
            break;
          case "comment":
            if (strict && !hasSpace) {
              const message = "Comments must be separated from other tokens by white space characters";
              onError(token, "MISSING_CHAR", message);
            }
            length += token.source.length;
            comment = token.source.substring(1);
            break;
          case "error":
            onError(token, "UNEXPECTED_TOKEN", token.message);
            length += token.source.length;
            break;
          /* istanbul ignore next should not happen */
          default: {
            const message = `Unexpected token in block scalar header: ${token.type}`;
            onError(token, "UNEXPECTED_TOKEN", message);
            const ts = token.source;
            if (ts && typeof ts === "string")
              length += ts.length;
          }
        }
      }
      return { mode, indent, chomp, comment, length };
    }
    function splitLines(source) {
      const split = source.split(/\n( *)/);
      const first = split[0];
      const m = first.match(/^( *)/);
      const line0 = m?.[1] ? [m[1], first.slice(m[1].length)] : ["", first];
      const lines = [line0];
      for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
      return lines;
    }
    exports.resolveBlockScalar = resolveBlockScalar;
  }
});

// node_modules/yaml/dist/compose/resolve-flow-scalar.js
var require_resolve_flow_scalar = __commonJS({
  "node_modules/yaml/dist/compose/resolve-flow-scalar.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var resolveEnd = require_resolve_end();
    function resolveFlowScalar(scalar, strict, onError) {
      const { offset, type, source, end } = scalar;
      let _type;
      let value;
      const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
      switch (type) {
        case "scalar":
          _type = Scalar.Scalar.PLAIN;
          value = plainValue(source, _onError);
          break;
        case "single-quoted-scalar":
          _type = Scalar.Scalar.QUOTE_SINGLE;
          value = singleQuotedValue(source, _onError);
          break;
        case "double-quoted-scalar":
          _type = Scalar.Scalar.QUOTE_DOUBLE;
          value = doubleQuotedValue(source, _onError);
          break;
        /* istanbul ignore next should not happen */
        default:
          onError(scalar, "UNEXPECTED_TOKEN", `Expected a flow scalar value, but found: ${type}`);
          return {
            value: "",
            type: null,
            comment: "",
            range: [offset, offset + source.length, offset + source.length]
          };
      }
      const valueEnd = offset + source.length;
      const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
      return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
      };
    }
    function plainValue(source, onError) {
      let badChar = "";
      switch (source[0]) {
        /* istanbul ignore next should not happen */
        case "	":
          badChar = "a tab character";
          break;
        case ",":
          badChar = "flow indicator character ,";
          break;
        case "%":
          badChar = "directive indicator character %";
          break;
        case "|":
        case ">": {
          badChar = `block scalar indicator ${source[0]}`;
          break;
        }
        case "@":
        case "`": {
          badChar = `reserved character ${source[0]}`;
          break;
        }
      }
      if (badChar)
        onError(0, "BAD_SCALAR_START", `Plain value cannot start with ${badChar}`);
      return unfoldLines(source);
    }
    function singleQuotedValue(source, onError) {
      if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, "MISSING_CHAR", "Missing closing 'quote");
      return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
    }
    function unfoldLines(source) {
      const line = /(.*?)\r?\n/sy;
      let match = line.exec(source);
      if (!match)
        return source;
      let trimEnd, trimBoth;
      try {
        trimEnd = new RegExp("(?<![ 	])[ 	]+$");
        trimBoth = new RegExp("^[ 	]+|(?<![ 	])[ 	]+$", "g");
      } catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
      }
      let res = match[1].replace(trimEnd, "");
      let sep = " ";
      let pos = line.lastIndex;
      while (match = line.exec(source)) {
        const lm = match[1].replace(trimBoth, "");
        if (lm === "") {
          if (sep === "\n")
            res += sep;
          else
            sep = "\n";
        } else {
          res += sep + lm;
          sep = " ";
        }
        pos = line.lastIndex;
      }
      const last = /[ \t]*(.*)/sy;
      last.lastIndex = pos;
      match = last.exec(source);
      return res + sep + (match?.[1] ?? "");
    }
    function doubleQuotedValue(source, onError) {
      let res = "";
      for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === "\r" && source[i + 1] === "\n")
          continue;
        if (ch === "\n") {
          const { fold, offset } = foldNewline(source, i);
          res += fold;
          i = offset;
        } else if (ch === "\\") {
          let next = source[++i];
          const cc = escapeCodes[next];
          if (cc)
            res += cc;
          else if (next === "\n") {
            next = source[i + 1];
            while (next === " " || next === "	")
              next = source[++i + 1];
          } else if (next === "\r" && source[i + 1] === "\n") {
            next = source[++i + 1];
            while (next === " " || next === "	")
              next = source[++i + 1];
          } else if (next === "x" || next === "u" || next === "U") {
            const length = next === "x" ? 2 : next === "u" ? 4 : 8;
            res += parseCharCode(source, i + 1, length, onError);
            i += length;
          } else {
            const raw = source.substr(i - 1, 2);
            onError(i - 1, "BAD_DQ_ESCAPE", `Invalid escape sequence ${raw}`);
            res += raw;
          }
        } else if (ch === " " || ch === "	") {
          const wsStart = i;
          let next = source[i + 1];
          while (next === " " || next === "	")
            next = source[++i + 1];
          if (next !== "\n" && !(next === "\r" && source[i + 2] === "\n"))
            res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        } else {
          res += ch;
        }
      }
      if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, "MISSING_CHAR", 'Missing closing "quote');
      return res;
    }
    function foldNewline(source, offset) {
      let fold = "";
      let ch = source[offset + 1];
      while (ch === " " || ch === "	" || ch === "\n" || ch === "\r") {
        if (ch === "\r" && source[offset + 2] !== "\n")
          break;
        if (ch === "\n")
          fold += "\n";
        offset += 1;
        ch = source[offset + 1];
      }
      if (!fold)
        fold = " ";
      return { fold, offset };
    }
    var escapeCodes = {
      "0": "\0",
      // null character
      a: "\x07",
      // bell character
      b: "\b",
      // backspace
      e: "\x1B",
      // escape character
      f: "\f",
      // form feed
      n: "\n",
      // line feed
      r: "\r",
      // carriage return
      t: "	",
      // horizontal tab
      v: "\v",
      // vertical tab
      N: "\x85",
      // Unicode next line
      _: "\xA0",
      // Unicode non-breaking space
      L: "\u2028",
      // Unicode line separator
      P: "\u2029",
      // Unicode paragraph separator
      " ": " ",
      '"': '"',
      "/": "/",
      "\\": "\\",
      "	": "	"
    };
    function parseCharCode(source, offset, length, onError) {
      const cc = source.substr(offset, length);
      const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
      const code = ok ? parseInt(cc, 16) : NaN;
      try {
        return String.fromCodePoint(code);
      } catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, "BAD_DQ_ESCAPE", `Invalid escape sequence ${raw}`);
        return raw;
      }
    }
    exports.resolveFlowScalar = resolveFlowScalar;
  }
});

// node_modules/yaml/dist/compose/compose-scalar.js
var require_compose_scalar = __commonJS({
  "node_modules/yaml/dist/compose/compose-scalar.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var resolveBlockScalar = require_resolve_block_scalar();
    var resolveFlowScalar = require_resolve_flow_scalar();
    function composeScalar(ctx, token, tagToken, onError) {
      const { value, type, comment, range } = token.type === "block-scalar" ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError) : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
      const tagName = tagToken ? ctx.directives.tagName(tagToken.source, (msg) => onError(tagToken, "TAG_RESOLVE_FAILED", msg)) : null;
      let tag;
      if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[identity.SCALAR];
      } else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
      else if (token.type === "scalar")
        tag = findScalarTagByTest(ctx, value, token, onError);
      else
        tag = ctx.schema[identity.SCALAR];
      let scalar;
      try {
        const res = tag.resolve(value, (msg) => onError(tagToken ?? token, "TAG_RESOLVE_FAILED", msg), ctx.options);
        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
      } catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, "TAG_RESOLVE_FAILED", msg);
        scalar = new Scalar.Scalar(value);
      }
      scalar.range = range;
      scalar.source = value;
      if (type)
        scalar.type = type;
      if (tagName)
        scalar.tag = tagName;
      if (tag.format)
        scalar.format = tag.format;
      if (comment)
        scalar.comment = comment;
      return scalar;
    }
    function findScalarTagByName(schema, value, tagName, tagToken, onError) {
      if (tagName === "!")
        return schema[identity.SCALAR];
      const matchWithTest = [];
      for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
          if (tag.default && tag.test)
            matchWithTest.push(tag);
          else
            return tag;
        }
      }
      for (const tag of matchWithTest)
        if (tag.test?.test(value))
          return tag;
      const kt = schema.knownTags[tagName];
      if (kt && !kt.collection) {
        schema.tags.push(Object.assign({}, kt, { default: false, test: void 0 }));
        return kt;
      }
      onError(tagToken, "TAG_RESOLVE_FAILED", `Unresolved tag: ${tagName}`, tagName !== "tag:yaml.org,2002:str");
      return schema[identity.SCALAR];
    }
    function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
      const tag = schema.tags.find((tag2) => (tag2.default === true || atKey && tag2.default === "key") && tag2.test?.test(value)) || schema[identity.SCALAR];
      if (schema.compat) {
        const compat = schema.compat.find((tag2) => tag2.default && tag2.test?.test(value)) ?? schema[identity.SCALAR];
        if (tag.tag !== compat.tag) {
          const ts = directives.tagString(tag.tag);
          const cs = directives.tagString(compat.tag);
          const msg = `Value may be parsed as either ${ts} or ${cs}`;
          onError(token, "TAG_RESOLVE_FAILED", msg, true);
        }
      }
      return tag;
    }
    exports.composeScalar = composeScalar;
  }
});

// node_modules/yaml/dist/compose/util-empty-scalar-position.js
var require_util_empty_scalar_position = __commonJS({
  "node_modules/yaml/dist/compose/util-empty-scalar-position.js"(exports) {
    "use strict";
    function emptyScalarPosition(offset, before, pos) {
      if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
          let st = before[i];
          switch (st.type) {
            case "space":
            case "comment":
            case "newline":
              offset -= st.source.length;
              continue;
          }
          st = before[++i];
          while (st?.type === "space") {
            offset += st.source.length;
            st = before[++i];
          }
          break;
        }
      }
      return offset;
    }
    exports.emptyScalarPosition = emptyScalarPosition;
  }
});

// node_modules/yaml/dist/compose/compose-node.js
var require_compose_node = __commonJS({
  "node_modules/yaml/dist/compose/compose-node.js"(exports) {
    "use strict";
    var Alias = require_Alias();
    var identity = require_identity();
    var composeCollection = require_compose_collection();
    var composeScalar = require_compose_scalar();
    var resolveEnd = require_resolve_end();
    var utilEmptyScalarPosition = require_util_empty_scalar_position();
    var CN = { composeNode, composeEmptyNode };
    function composeNode(ctx, token, props, onError) {
      const atKey = ctx.atKey;
      const { spaceBefore, comment, anchor, tag } = props;
      let node;
      let isSrcToken = true;
      switch (token.type) {
        case "alias":
          node = composeAlias(ctx, token, onError);
          if (anchor || tag)
            onError(token, "ALIAS_PROPS", "An alias node must not specify any properties");
          break;
        case "scalar":
        case "single-quoted-scalar":
        case "double-quoted-scalar":
        case "block-scalar":
          node = composeScalar.composeScalar(ctx, token, tag, onError);
          if (anchor)
            node.anchor = anchor.source.substring(1);
          break;
        case "block-map":
        case "block-seq":
        case "flow-collection":
          try {
            node = composeCollection.composeCollection(CN, ctx, token, props, onError);
            if (anchor)
              node.anchor = anchor.source.substring(1);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            onError(token, "RESOURCE_EXHAUSTION", message);
          }
          break;
        default: {
          const message = token.type === "error" ? token.message : `Unsupported token (type: ${token.type})`;
          onError(token, "UNEXPECTED_TOKEN", message);
          isSrcToken = false;
        }
      }
      node ?? (node = composeEmptyNode(ctx, token.offset, void 0, null, props, onError));
      if (anchor && node.anchor === "")
        onError(anchor, "BAD_ALIAS", "Anchor cannot be an empty string");
      if (atKey && ctx.options.stringKeys && (!identity.isScalar(node) || typeof node.value !== "string" || node.tag && node.tag !== "tag:yaml.org,2002:str")) {
        const msg = "With stringKeys, all keys must be strings";
        onError(tag ?? token, "NON_STRING_KEY", msg);
      }
      if (spaceBefore)
        node.spaceBefore = true;
      if (comment) {
        if (token.type === "scalar" && token.source === "")
          node.comment = comment;
        else
          node.commentBefore = comment;
      }
      if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
      return node;
    }
    function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
      const token = {
        type: "scalar",
        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ""
      };
      const node = composeScalar.composeScalar(ctx, token, tag, onError);
      if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === "")
          onError(anchor, "BAD_ALIAS", "Anchor cannot be an empty string");
      }
      if (spaceBefore)
        node.spaceBefore = true;
      if (comment) {
        node.comment = comment;
        node.range[2] = end;
      }
      return node;
    }
    function composeAlias({ options }, { offset, source, end }, onError) {
      const alias = new Alias.Alias(source.substring(1));
      if (alias.source === "")
        onError(offset, "BAD_ALIAS", "Alias cannot be an empty string");
      if (alias.source.endsWith(":"))
        onError(offset + source.length - 1, "BAD_ALIAS", "Alias ending in : is ambiguous", true);
      const valueEnd = offset + source.length;
      const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
      alias.range = [offset, valueEnd, re.offset];
      if (re.comment)
        alias.comment = re.comment;
      return alias;
    }
    exports.composeEmptyNode = composeEmptyNode;
    exports.composeNode = composeNode;
  }
});

// node_modules/yaml/dist/compose/compose-doc.js
var require_compose_doc = __commonJS({
  "node_modules/yaml/dist/compose/compose-doc.js"(exports) {
    "use strict";
    var Document = require_Document();
    var composeNode = require_compose_node();
    var resolveEnd = require_resolve_end();
    var resolveProps = require_resolve_props();
    function composeDoc(options, directives, { offset, start, value, end }, onError) {
      const opts = Object.assign({ _directives: directives }, options);
      const doc = new Document.Document(void 0, opts);
      const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
      };
      const props = resolveProps.resolveProps(start, {
        indicator: "doc-start",
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
      });
      if (props.found) {
        doc.directives.docStart = true;
        if (value && (value.type === "block-map" || value.type === "block-seq") && !props.hasNewline)
          onError(props.end, "MISSING_CHAR", "Block collection cannot start on same line with directives-end marker");
      }
      doc.contents = value ? composeNode.composeNode(ctx, value, props, onError) : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
      const contentEnd = doc.contents.range[2];
      const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
      if (re.comment)
        doc.comment = re.comment;
      doc.range = [offset, contentEnd, re.offset];
      return doc;
    }
    exports.composeDoc = composeDoc;
  }
});

// node_modules/yaml/dist/compose/composer.js
var require_composer = __commonJS({
  "node_modules/yaml/dist/compose/composer.js"(exports) {
    "use strict";
    var node_process = __require("process");
    var directives = require_directives();
    var Document = require_Document();
    var errors = require_errors();
    var identity = require_identity();
    var composeDoc = require_compose_doc();
    var resolveEnd = require_resolve_end();
    function getErrorPos(src) {
      if (typeof src === "number")
        return [src, src + 1];
      if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
      const { offset, source } = src;
      return [offset, offset + (typeof source === "string" ? source.length : 1)];
    }
    function parsePrelude(prelude) {
      let comment = "";
      let atComment = false;
      let afterEmptyLine = false;
      for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
          case "#":
            comment += (comment === "" ? "" : afterEmptyLine ? "\n\n" : "\n") + (source.substring(1) || " ");
            atComment = true;
            afterEmptyLine = false;
            break;
          case "%":
            if (prelude[i + 1]?.[0] !== "#")
              i += 1;
            atComment = false;
            break;
          default:
            if (!atComment)
              afterEmptyLine = true;
            atComment = false;
        }
      }
      return { comment, afterEmptyLine };
    }
    var Composer = class {
      constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
          const pos = getErrorPos(source);
          if (warning)
            this.warnings.push(new errors.YAMLWarning(pos, code, message));
          else
            this.errors.push(new errors.YAMLParseError(pos, code, message));
        };
        this.directives = new directives.Directives({ version: options.version || "1.2" });
        this.options = options;
      }
      decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        if (comment) {
          const dc = doc.contents;
          if (afterDoc) {
            doc.comment = doc.comment ? `${doc.comment}
${comment}` : comment;
          } else if (afterEmptyLine || doc.directives.docStart || !dc) {
            doc.commentBefore = comment;
          } else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
            let it = dc.items[0];
            if (identity.isPair(it))
              it = it.key;
            const cb = it.commentBefore;
            it.commentBefore = cb ? `${comment}
${cb}` : comment;
          } else {
            const cb = dc.commentBefore;
            dc.commentBefore = cb ? `${comment}
${cb}` : comment;
          }
        }
        if (afterDoc) {
          for (let i = 0; i < this.errors.length; ++i)
            doc.errors.push(this.errors[i]);
          for (let i = 0; i < this.warnings.length; ++i)
            doc.warnings.push(this.warnings[i]);
        } else {
          doc.errors = this.errors;
          doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
      }
      /**
       * Current stream status information.
       *
       * Mostly useful at the end of input for an empty stream.
       */
      streamInfo() {
        return {
          comment: parsePrelude(this.prelude).comment,
          directives: this.directives,
          errors: this.errors,
          warnings: this.warnings
        };
      }
      /**
       * Compose tokens into documents.
       *
       * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
       * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
       */
      *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
          yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
      }
      /** Advance the composer by one CST token. */
      *next(token) {
        if (node_process.env.LOG_STREAM)
          console.dir(token, { depth: null });
        switch (token.type) {
          case "directive":
            this.directives.add(token.source, (offset, message, warning) => {
              const pos = getErrorPos(token);
              pos[0] += offset;
              this.onError(pos, "BAD_DIRECTIVE", message, warning);
            });
            this.prelude.push(token.source);
            this.atDirectives = true;
            break;
          case "document": {
            const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
            if (this.atDirectives && !doc.directives.docStart)
              this.onError(token, "MISSING_CHAR", "Missing directives-end/doc-start indicator line");
            this.decorate(doc, false);
            if (this.doc)
              yield this.doc;
            this.doc = doc;
            this.atDirectives = false;
            break;
          }
          case "byte-order-mark":
          case "space":
            break;
          case "comment":
          case "newline":
            this.prelude.push(token.source);
            break;
          case "error": {
            const msg = token.source ? `${token.message}: ${JSON.stringify(token.source)}` : token.message;
            const error = new errors.YAMLParseError(getErrorPos(token), "UNEXPECTED_TOKEN", msg);
            if (this.atDirectives || !this.doc)
              this.errors.push(error);
            else
              this.doc.errors.push(error);
            break;
          }
          case "doc-end": {
            if (!this.doc) {
              const msg = "Unexpected doc-end without preceding document";
              this.errors.push(new errors.YAMLParseError(getErrorPos(token), "UNEXPECTED_TOKEN", msg));
              break;
            }
            this.doc.directives.docEnd = true;
            const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
            this.decorate(this.doc, true);
            if (end.comment) {
              const dc = this.doc.comment;
              this.doc.comment = dc ? `${dc}
${end.comment}` : end.comment;
            }
            this.doc.range[2] = end.offset;
            break;
          }
          default:
            this.errors.push(new errors.YAMLParseError(getErrorPos(token), "UNEXPECTED_TOKEN", `Unsupported token ${token.type}`));
        }
      }
      /**
       * Call at end of input to yield any remaining document.
       *
       * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
       * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
       */
      *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
          this.decorate(this.doc, true);
          yield this.doc;
          this.doc = null;
        } else if (forceDoc) {
          const opts = Object.assign({ _directives: this.directives }, this.options);
          const doc = new Document.Document(void 0, opts);
          if (this.atDirectives)
            this.onError(endOffset, "MISSING_CHAR", "Missing directives-end indicator line");
          doc.range = [0, endOffset, endOffset];
          this.decorate(doc, false);
          yield doc;
        }
      }
    };
    exports.Composer = Composer;
  }
});

// node_modules/yaml/dist/parse/cst-scalar.js
var require_cst_scalar = __commonJS({
  "node_modules/yaml/dist/parse/cst-scalar.js"(exports) {
    "use strict";
    var resolveBlockScalar = require_resolve_block_scalar();
    var resolveFlowScalar = require_resolve_flow_scalar();
    var errors = require_errors();
    var stringifyString = require_stringifyString();
    function resolveAsScalar(token, strict = true, onError) {
      if (token) {
        const _onError = (pos, code, message) => {
          const offset = typeof pos === "number" ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
          if (onError)
            onError(offset, code, message);
          else
            throw new errors.YAMLParseError([offset, offset + 1], code, message);
        };
        switch (token.type) {
          case "scalar":
          case "single-quoted-scalar":
          case "double-quoted-scalar":
            return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
          case "block-scalar":
            return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
        }
      }
      return null;
    }
    function createScalarToken(value, context) {
      const { implicitKey = false, indent, inFlow = false, offset = -1, type = "PLAIN" } = context;
      const source = stringifyString.stringifyString({ type, value }, {
        implicitKey,
        indent: indent > 0 ? " ".repeat(indent) : "",
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
      });
      const end = context.end ?? [
        { type: "newline", offset: -1, indent, source: "\n" }
      ];
      switch (source[0]) {
        case "|":
        case ">": {
          const he = source.indexOf("\n");
          const head = source.substring(0, he);
          const body = source.substring(he + 1) + "\n";
          const props = [
            { type: "block-scalar-header", offset, indent, source: head }
          ];
          if (!addEndtoBlockProps(props, end))
            props.push({ type: "newline", offset: -1, indent, source: "\n" });
          return { type: "block-scalar", offset, indent, props, source: body };
        }
        case '"':
          return { type: "double-quoted-scalar", offset, indent, source, end };
        case "'":
          return { type: "single-quoted-scalar", offset, indent, source, end };
        default:
          return { type: "scalar", offset, indent, source, end };
      }
    }
    function setScalarValue(token, value, context = {}) {
      let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
      let indent = "indent" in token ? token.indent : null;
      if (afterKey && typeof indent === "number")
        indent += 2;
      if (!type)
        switch (token.type) {
          case "single-quoted-scalar":
            type = "QUOTE_SINGLE";
            break;
          case "double-quoted-scalar":
            type = "QUOTE_DOUBLE";
            break;
          case "block-scalar": {
            const header = token.props[0];
            if (header.type !== "block-scalar-header")
              throw new Error("Invalid block scalar header");
            type = header.source[0] === ">" ? "BLOCK_FOLDED" : "BLOCK_LITERAL";
            break;
          }
          default:
            type = "PLAIN";
        }
      const source = stringifyString.stringifyString({ type, value }, {
        implicitKey: implicitKey || indent === null,
        indent: indent !== null && indent > 0 ? " ".repeat(indent) : "",
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
      });
      switch (source[0]) {
        case "|":
        case ">":
          setBlockScalarValue(token, source);
          break;
        case '"':
          setFlowScalarValue(token, source, "double-quoted-scalar");
          break;
        case "'":
          setFlowScalarValue(token, source, "single-quoted-scalar");
          break;
        default:
          setFlowScalarValue(token, source, "scalar");
      }
    }
    function setBlockScalarValue(token, source) {
      const he = source.indexOf("\n");
      const head = source.substring(0, he);
      const body = source.substring(he + 1) + "\n";
      if (token.type === "block-scalar") {
        const header = token.props[0];
        if (header.type !== "block-scalar-header")
          throw new Error("Invalid block scalar header");
        header.source = head;
        token.source = body;
      } else {
        const { offset } = token;
        const indent = "indent" in token ? token.indent : -1;
        const props = [
          { type: "block-scalar-header", offset, indent, source: head }
        ];
        if (!addEndtoBlockProps(props, "end" in token ? token.end : void 0))
          props.push({ type: "newline", offset: -1, indent, source: "\n" });
        for (const key of Object.keys(token))
          if (key !== "type" && key !== "offset")
            delete token[key];
        Object.assign(token, { type: "block-scalar", indent, props, source: body });
      }
    }
    function addEndtoBlockProps(props, end) {
      if (end)
        for (const st of end)
          switch (st.type) {
            case "space":
            case "comment":
              props.push(st);
              break;
            case "newline":
              props.push(st);
              return true;
          }
      return false;
    }
    function setFlowScalarValue(token, source, type) {
      switch (token.type) {
        case "scalar":
        case "double-quoted-scalar":
        case "single-quoted-scalar":
          token.type = type;
          token.source = source;
          break;
        case "block-scalar": {
          const end = token.props.slice(1);
          let oa = source.length;
          if (token.props[0].type === "block-scalar-header")
            oa -= token.props[0].source.length;
          for (const tok of end)
            tok.offset += oa;
          delete token.props;
          Object.assign(token, { type, source, end });
          break;
        }
        case "block-map":
        case "block-seq": {
          const offset = token.offset + source.length;
          const nl = { type: "newline", offset, indent: token.indent, source: "\n" };
          delete token.items;
          Object.assign(token, { type, source, end: [nl] });
          break;
        }
        default: {
          const indent = "indent" in token ? token.indent : -1;
          const end = "end" in token && Array.isArray(token.end) ? token.end.filter((st) => st.type === "space" || st.type === "comment" || st.type === "newline") : [];
          for (const key of Object.keys(token))
            if (key !== "type" && key !== "offset")
              delete token[key];
          Object.assign(token, { type, indent, source, end });
        }
      }
    }
    exports.createScalarToken = createScalarToken;
    exports.resolveAsScalar = resolveAsScalar;
    exports.setScalarValue = setScalarValue;
  }
});

// node_modules/yaml/dist/parse/cst-stringify.js
var require_cst_stringify = __commonJS({
  "node_modules/yaml/dist/parse/cst-stringify.js"(exports) {
    "use strict";
    var stringify = (cst) => "type" in cst ? stringifyToken(cst) : stringifyItem(cst);
    function stringifyToken(token) {
      switch (token.type) {
        case "block-scalar": {
          let res = "";
          for (const tok of token.props)
            res += stringifyToken(tok);
          return res + token.source;
        }
        case "block-map":
        case "block-seq": {
          let res = "";
          for (const item of token.items)
            res += stringifyItem(item);
          return res;
        }
        case "flow-collection": {
          let res = token.start.source;
          for (const item of token.items)
            res += stringifyItem(item);
          for (const st of token.end)
            res += st.source;
          return res;
        }
        case "document": {
          let res = stringifyItem(token);
          if (token.end)
            for (const st of token.end)
              res += st.source;
          return res;
        }
        default: {
          let res = token.source;
          if ("end" in token && token.end)
            for (const st of token.end)
              res += st.source;
          return res;
        }
      }
    }
    function stringifyItem({ start, key, sep, value }) {
      let res = "";
      for (const st of start)
        res += st.source;
      if (key)
        res += stringifyToken(key);
      if (sep)
        for (const st of sep)
          res += st.source;
      if (value)
        res += stringifyToken(value);
      return res;
    }
    exports.stringify = stringify;
  }
});

// node_modules/yaml/dist/parse/cst-visit.js
var require_cst_visit = __commonJS({
  "node_modules/yaml/dist/parse/cst-visit.js"(exports) {
    "use strict";
    var BREAK = /* @__PURE__ */ Symbol("break visit");
    var SKIP = /* @__PURE__ */ Symbol("skip children");
    var REMOVE = /* @__PURE__ */ Symbol("remove item");
    function visit(cst, visitor) {
      if ("type" in cst && cst.type === "document")
        cst = { start: cst.start, value: cst.value };
      _visit(Object.freeze([]), cst, visitor);
    }
    visit.BREAK = BREAK;
    visit.SKIP = SKIP;
    visit.REMOVE = REMOVE;
    visit.itemAtPath = (cst, path) => {
      let item = cst;
      for (const [field, index] of path) {
        const tok = item?.[field];
        if (tok && "items" in tok) {
          item = tok.items[index];
        } else
          return void 0;
      }
      return item;
    };
    visit.parentCollection = (cst, path) => {
      const parent = visit.itemAtPath(cst, path.slice(0, -1));
      const field = path[path.length - 1][0];
      const coll = parent?.[field];
      if (coll && "items" in coll)
        return coll;
      throw new Error("Parent collection not found");
    };
    function _visit(path, item, visitor) {
      let ctrl = visitor(item, path);
      if (typeof ctrl === "symbol")
        return ctrl;
      for (const field of ["key", "value"]) {
        const token = item[field];
        if (token && "items" in token) {
          for (let i = 0; i < token.items.length; ++i) {
            const ci = _visit(Object.freeze(path.concat([[field, i]])), token.items[i], visitor);
            if (typeof ci === "number")
              i = ci - 1;
            else if (ci === BREAK)
              return BREAK;
            else if (ci === REMOVE) {
              token.items.splice(i, 1);
              i -= 1;
            }
          }
          if (typeof ctrl === "function" && field === "key")
            ctrl = ctrl(item, path);
        }
      }
      return typeof ctrl === "function" ? ctrl(item, path) : ctrl;
    }
    exports.visit = visit;
  }
});

// node_modules/yaml/dist/parse/cst.js
var require_cst = __commonJS({
  "node_modules/yaml/dist/parse/cst.js"(exports) {
    "use strict";
    var cstScalar = require_cst_scalar();
    var cstStringify = require_cst_stringify();
    var cstVisit = require_cst_visit();
    var BOM = "\uFEFF";
    var DOCUMENT = "";
    var FLOW_END = "";
    var SCALAR = "";
    var isCollection = (token) => !!token && "items" in token;
    var isScalar2 = (token) => !!token && (token.type === "scalar" || token.type === "single-quoted-scalar" || token.type === "double-quoted-scalar" || token.type === "block-scalar");
    function prettyToken(token) {
      switch (token) {
        case BOM:
          return "<BOM>";
        case DOCUMENT:
          return "<DOC>";
        case FLOW_END:
          return "<FLOW_END>";
        case SCALAR:
          return "<SCALAR>";
        default:
          return JSON.stringify(token);
      }
    }
    function tokenType(source) {
      switch (source) {
        case BOM:
          return "byte-order-mark";
        case DOCUMENT:
          return "doc-mode";
        case FLOW_END:
          return "flow-error-end";
        case SCALAR:
          return "scalar";
        case "---":
          return "doc-start";
        case "...":
          return "doc-end";
        case "":
        case "\n":
        case "\r\n":
          return "newline";
        case "-":
          return "seq-item-ind";
        case "?":
          return "explicit-key-ind";
        case ":":
          return "map-value-ind";
        case "{":
          return "flow-map-start";
        case "}":
          return "flow-map-end";
        case "[":
          return "flow-seq-start";
        case "]":
          return "flow-seq-end";
        case ",":
          return "comma";
      }
      switch (source[0]) {
        case " ":
        case "	":
          return "space";
        case "#":
          return "comment";
        case "%":
          return "directive-line";
        case "*":
          return "alias";
        case "&":
          return "anchor";
        case "!":
          return "tag";
        case "'":
          return "single-quoted-scalar";
        case '"':
          return "double-quoted-scalar";
        case "|":
        case ">":
          return "block-scalar-header";
      }
      return null;
    }
    exports.createScalarToken = cstScalar.createScalarToken;
    exports.resolveAsScalar = cstScalar.resolveAsScalar;
    exports.setScalarValue = cstScalar.setScalarValue;
    exports.stringify = cstStringify.stringify;
    exports.visit = cstVisit.visit;
    exports.BOM = BOM;
    exports.DOCUMENT = DOCUMENT;
    exports.FLOW_END = FLOW_END;
    exports.SCALAR = SCALAR;
    exports.isCollection = isCollection;
    exports.isScalar = isScalar2;
    exports.prettyToken = prettyToken;
    exports.tokenType = tokenType;
  }
});

// node_modules/yaml/dist/parse/lexer.js
var require_lexer = __commonJS({
  "node_modules/yaml/dist/parse/lexer.js"(exports) {
    "use strict";
    var cst = require_cst();
    function isEmpty(ch) {
      switch (ch) {
        case void 0:
        case " ":
        case "\n":
        case "\r":
        case "	":
          return true;
        default:
          return false;
      }
    }
    var hexDigits = new Set("0123456789ABCDEFabcdef");
    var tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
    var flowIndicatorChars = new Set(",[]{}");
    var invalidAnchorChars = new Set(" ,[]{}\n\r	");
    var isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
    var Lexer = class {
      constructor() {
        this.atEnd = false;
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        this.buffer = "";
        this.flowKey = false;
        this.flowLevel = 0;
        this.indentNext = 0;
        this.indentValue = 0;
        this.lineEndPos = null;
        this.next = null;
        this.pos = 0;
      }
      /**
       * Generate YAML tokens from the `source` string. If `incomplete`,
       * a part of the last line may be left as a buffer for the next call.
       *
       * @returns A generator of lexical tokens
       */
      *lex(source, incomplete = false) {
        if (source) {
          if (typeof source !== "string")
            throw TypeError("source is not a string");
          this.buffer = this.buffer ? this.buffer + source : source;
          this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? "stream";
        while (next && (incomplete || this.hasChars(1)))
          next = yield* this.parseNext(next);
      }
      atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === " " || ch === "	")
          ch = this.buffer[++i];
        if (!ch || ch === "#" || ch === "\n")
          return true;
        if (ch === "\r")
          return this.buffer[i + 1] === "\n";
        return false;
      }
      charAt(n) {
        return this.buffer[this.pos + n];
      }
      continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
          let indent = 0;
          while (ch === " ")
            ch = this.buffer[++indent + offset];
          if (ch === "\r") {
            const next = this.buffer[indent + offset + 1];
            if (next === "\n" || !next && !this.atEnd)
              return offset + indent + 1;
          }
          return ch === "\n" || indent >= this.indentNext || !ch && !this.atEnd ? offset + indent : -1;
        }
        if (ch === "-" || ch === ".") {
          const dt = this.buffer.substr(offset, 3);
          if ((dt === "---" || dt === "...") && isEmpty(this.buffer[offset + 3]))
            return -1;
        }
        return offset;
      }
      getLine() {
        let end = this.lineEndPos;
        if (typeof end !== "number" || end !== -1 && end < this.pos) {
          end = this.buffer.indexOf("\n", this.pos);
          this.lineEndPos = end;
        }
        if (end === -1)
          return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === "\r")
          end -= 1;
        return this.buffer.substring(this.pos, end);
      }
      hasChars(n) {
        return this.pos + n <= this.buffer.length;
      }
      setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
      }
      peek(n) {
        return this.buffer.substr(this.pos, n);
      }
      *parseNext(next) {
        switch (next) {
          case "stream":
            return yield* this.parseStream();
          case "line-start":
            return yield* this.parseLineStart();
          case "block-start":
            return yield* this.parseBlockStart();
          case "doc":
            return yield* this.parseDocument();
          case "flow":
            return yield* this.parseFlowCollection();
          case "quoted-scalar":
            return yield* this.parseQuotedScalar();
          case "block-scalar":
            return yield* this.parseBlockScalar();
          case "plain-scalar":
            return yield* this.parsePlainScalar();
        }
      }
      *parseStream() {
        let line = this.getLine();
        if (line === null)
          return this.setNext("stream");
        if (line[0] === cst.BOM) {
          yield* this.pushCount(1);
          line = line.substring(1);
        }
        if (line[0] === "%") {
          let dirEnd = line.length;
          let cs = line.indexOf("#");
          while (cs !== -1) {
            const ch = line[cs - 1];
            if (ch === " " || ch === "	") {
              dirEnd = cs - 1;
              break;
            } else {
              cs = line.indexOf("#", cs + 1);
            }
          }
          while (true) {
            const ch = line[dirEnd - 1];
            if (ch === " " || ch === "	")
              dirEnd -= 1;
            else
              break;
          }
          const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
          yield* this.pushCount(line.length - n);
          this.pushNewline();
          return "stream";
        }
        if (this.atLineEnd()) {
          const sp = yield* this.pushSpaces(true);
          yield* this.pushCount(line.length - sp);
          yield* this.pushNewline();
          return "stream";
        }
        yield cst.DOCUMENT;
        return yield* this.parseLineStart();
      }
      *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
          return this.setNext("line-start");
        if (ch === "-" || ch === ".") {
          if (!this.atEnd && !this.hasChars(4))
            return this.setNext("line-start");
          const s = this.peek(3);
          if ((s === "---" || s === "...") && isEmpty(this.charAt(3))) {
            yield* this.pushCount(3);
            this.indentValue = 0;
            this.indentNext = 0;
            return s === "---" ? "doc" : "stream";
          }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
          this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
      }
      *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
          return this.setNext("block-start");
        if ((ch0 === "-" || ch0 === "?" || ch0 === ":") && isEmpty(ch1)) {
          const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
          this.indentNext = this.indentValue + 1;
          this.indentValue += n;
          return "block-start";
        }
        return "doc";
      }
      *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
          return this.setNext("doc");
        let n = yield* this.pushIndicators();
        switch (line[n]) {
          case "#":
            yield* this.pushCount(line.length - n);
          // fallthrough
          case void 0:
            yield* this.pushNewline();
            return yield* this.parseLineStart();
          case "{":
          case "[":
            yield* this.pushCount(1);
            this.flowKey = false;
            this.flowLevel = 1;
            return "flow";
          case "}":
          case "]":
            yield* this.pushCount(1);
            return "doc";
          case "*":
            yield* this.pushUntil(isNotAnchorChar);
            return "doc";
          case '"':
          case "'":
            return yield* this.parseQuotedScalar();
          case "|":
          case ">":
            n += yield* this.parseBlockScalarHeader();
            n += yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - n);
            yield* this.pushNewline();
            return yield* this.parseBlockScalar();
          default:
            return yield* this.parsePlainScalar();
        }
      }
      *parseFlowCollection() {
        let nl, sp;
        let indent = -1;
        do {
          nl = yield* this.pushNewline();
          if (nl > 0) {
            sp = yield* this.pushSpaces(false);
            this.indentValue = indent = sp;
          } else {
            sp = 0;
          }
          sp += yield* this.pushSpaces(true);
        } while (nl + sp > 0);
        const line = this.getLine();
        if (line === null)
          return this.setNext("flow");
        if (indent !== -1 && indent < this.indentNext && line[0] !== "#" || indent === 0 && (line.startsWith("---") || line.startsWith("...")) && isEmpty(line[3])) {
          const atFlowEndMarker = indent === this.indentNext - 1 && this.flowLevel === 1 && (line[0] === "]" || line[0] === "}");
          if (!atFlowEndMarker) {
            this.flowLevel = 0;
            yield cst.FLOW_END;
            return yield* this.parseLineStart();
          }
        }
        let n = 0;
        while (line[n] === ",") {
          n += yield* this.pushCount(1);
          n += yield* this.pushSpaces(true);
          this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
          case void 0:
            return "flow";
          case "#":
            yield* this.pushCount(line.length - n);
            return "flow";
          case "{":
          case "[":
            yield* this.pushCount(1);
            this.flowKey = false;
            this.flowLevel += 1;
            return "flow";
          case "}":
          case "]":
            yield* this.pushCount(1);
            this.flowKey = true;
            this.flowLevel -= 1;
            return this.flowLevel ? "flow" : "doc";
          case "*":
            yield* this.pushUntil(isNotAnchorChar);
            return "flow";
          case '"':
          case "'":
            this.flowKey = true;
            return yield* this.parseQuotedScalar();
          case ":": {
            const next = this.charAt(1);
            if (this.flowKey || isEmpty(next) || next === ",") {
              this.flowKey = false;
              yield* this.pushCount(1);
              yield* this.pushSpaces(true);
              return "flow";
            }
          }
          // fallthrough
          default:
            this.flowKey = false;
            return yield* this.parsePlainScalar();
        }
      }
      *parseQuotedScalar() {
        const quote = this.charAt(0);
        let end = this.buffer.indexOf(quote, this.pos + 1);
        if (quote === "'") {
          while (end !== -1 && this.buffer[end + 1] === "'")
            end = this.buffer.indexOf("'", end + 2);
        } else {
          while (end !== -1) {
            let n = 0;
            while (this.buffer[end - 1 - n] === "\\")
              n += 1;
            if (n % 2 === 0)
              break;
            end = this.buffer.indexOf('"', end + 1);
          }
        }
        const qb = this.buffer.substring(0, end);
        let nl = qb.indexOf("\n", this.pos);
        if (nl !== -1) {
          while (nl !== -1) {
            const cs = this.continueScalar(nl + 1);
            if (cs === -1)
              break;
            nl = qb.indexOf("\n", cs);
          }
          if (nl !== -1) {
            end = nl - (qb[nl - 1] === "\r" ? 2 : 1);
          }
        }
        if (end === -1) {
          if (!this.atEnd)
            return this.setNext("quoted-scalar");
          end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? "flow" : "doc";
      }
      *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
          const ch = this.buffer[++i];
          if (ch === "+")
            this.blockScalarKeep = true;
          else if (ch > "0" && ch <= "9")
            this.blockScalarIndent = Number(ch) - 1;
          else if (ch !== "-")
            break;
        }
        return yield* this.pushUntil((ch) => isEmpty(ch) || ch === "#");
      }
      *parseBlockScalar() {
        let nl = this.pos - 1;
        let indent = 0;
        let ch;
        loop: for (let i2 = this.pos; ch = this.buffer[i2]; ++i2) {
          switch (ch) {
            case " ":
              indent += 1;
              break;
            case "\n":
              nl = i2;
              indent = 0;
              break;
            case "\r": {
              const next = this.buffer[i2 + 1];
              if (!next && !this.atEnd)
                return this.setNext("block-scalar");
              if (next === "\n")
                break;
            }
            // fallthrough
            default:
              break loop;
          }
        }
        if (!ch && !this.atEnd)
          return this.setNext("block-scalar");
        if (indent >= this.indentNext) {
          if (this.blockScalarIndent === -1)
            this.indentNext = indent;
          else {
            this.indentNext = this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
          }
          do {
            const cs = this.continueScalar(nl + 1);
            if (cs === -1)
              break;
            nl = this.buffer.indexOf("\n", cs);
          } while (nl !== -1);
          if (nl === -1) {
            if (!this.atEnd)
              return this.setNext("block-scalar");
            nl = this.buffer.length;
          }
        }
        let i = nl + 1;
        ch = this.buffer[i];
        while (ch === " ")
          ch = this.buffer[++i];
        if (ch === "	") {
          while (ch === "	" || ch === " " || ch === "\r" || ch === "\n")
            ch = this.buffer[++i];
          nl = i - 1;
        } else if (!this.blockScalarKeep) {
          do {
            let i2 = nl - 1;
            let ch2 = this.buffer[i2];
            if (ch2 === "\r")
              ch2 = this.buffer[--i2];
            const lastChar = i2;
            while (ch2 === " ")
              ch2 = this.buffer[--i2];
            if (ch2 === "\n" && i2 >= this.pos && i2 + 1 + indent > lastChar)
              nl = i2;
            else
              break;
          } while (true);
        }
        yield cst.SCALAR;
        yield* this.pushToIndex(nl + 1, true);
        return yield* this.parseLineStart();
      }
      *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while (ch = this.buffer[++i]) {
          if (ch === ":") {
            const next = this.buffer[i + 1];
            if (isEmpty(next) || inFlow && flowIndicatorChars.has(next))
              break;
            end = i;
          } else if (isEmpty(ch)) {
            let next = this.buffer[i + 1];
            if (ch === "\r") {
              if (next === "\n") {
                i += 1;
                ch = "\n";
                next = this.buffer[i + 1];
              } else
                end = i;
            }
            if (next === "#" || inFlow && flowIndicatorChars.has(next))
              break;
            if (ch === "\n") {
              const cs = this.continueScalar(i + 1);
              if (cs === -1)
                break;
              i = Math.max(i, cs - 2);
            }
          } else {
            if (inFlow && flowIndicatorChars.has(ch))
              break;
            end = i;
          }
        }
        if (!ch && !this.atEnd)
          return this.setNext("plain-scalar");
        yield cst.SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? "flow" : "doc";
      }
      *pushCount(n) {
        if (n > 0) {
          yield this.buffer.substr(this.pos, n);
          this.pos += n;
          return n;
        }
        return 0;
      }
      *pushToIndex(i, allowEmpty) {
        const s = this.buffer.slice(this.pos, i);
        if (s) {
          yield s;
          this.pos += s.length;
          return s.length;
        } else if (allowEmpty)
          yield "";
        return 0;
      }
      *pushIndicators() {
        let n = 0;
        loop: while (true) {
          switch (this.charAt(0)) {
            case "!":
              n += yield* this.pushTag();
              n += yield* this.pushSpaces(true);
              continue loop;
            case "&":
              n += yield* this.pushUntil(isNotAnchorChar);
              n += yield* this.pushSpaces(true);
              continue loop;
            case "-":
            // this is an error
            case "?":
            // this is an error outside flow collections
            case ":": {
              const inFlow = this.flowLevel > 0;
              const ch1 = this.charAt(1);
              if (isEmpty(ch1) || inFlow && flowIndicatorChars.has(ch1)) {
                if (!inFlow)
                  this.indentNext = this.indentValue + 1;
                else if (this.flowKey)
                  this.flowKey = false;
                n += yield* this.pushCount(1);
                n += yield* this.pushSpaces(true);
                continue loop;
              }
            }
          }
          break loop;
        }
        return n;
      }
      *pushTag() {
        if (this.charAt(1) === "<") {
          let i = this.pos + 2;
          let ch = this.buffer[i];
          while (!isEmpty(ch) && ch !== ">")
            ch = this.buffer[++i];
          return yield* this.pushToIndex(ch === ">" ? i + 1 : i, false);
        } else {
          let i = this.pos + 1;
          let ch = this.buffer[i];
          while (ch) {
            if (tagChars.has(ch))
              ch = this.buffer[++i];
            else if (ch === "%" && hexDigits.has(this.buffer[i + 1]) && hexDigits.has(this.buffer[i + 2])) {
              ch = this.buffer[i += 3];
            } else
              break;
          }
          return yield* this.pushToIndex(i, false);
        }
      }
      *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === "\n")
          return yield* this.pushCount(1);
        else if (ch === "\r" && this.charAt(1) === "\n")
          return yield* this.pushCount(2);
        else
          return 0;
      }
      *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
          ch = this.buffer[++i];
        } while (ch === " " || allowTabs && ch === "	");
        const n = i - this.pos;
        if (n > 0) {
          yield this.buffer.substr(this.pos, n);
          this.pos = i;
        }
        return n;
      }
      *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
          ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
      }
    };
    exports.Lexer = Lexer;
  }
});

// node_modules/yaml/dist/parse/line-counter.js
var require_line_counter = __commonJS({
  "node_modules/yaml/dist/parse/line-counter.js"(exports) {
    "use strict";
    var LineCounter2 = class {
      constructor() {
        this.lineStarts = [];
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        this.linePos = (offset) => {
          let low = 0;
          let high = this.lineStarts.length;
          while (low < high) {
            const mid = low + high >> 1;
            if (this.lineStarts[mid] < offset)
              low = mid + 1;
            else
              high = mid;
          }
          if (this.lineStarts[low] === offset)
            return { line: low + 1, col: 1 };
          if (low === 0)
            return { line: 0, col: offset };
          const start = this.lineStarts[low - 1];
          return { line: low, col: offset - start + 1 };
        };
      }
    };
    exports.LineCounter = LineCounter2;
  }
});

// node_modules/yaml/dist/parse/parser.js
var require_parser = __commonJS({
  "node_modules/yaml/dist/parse/parser.js"(exports) {
    "use strict";
    var node_process = __require("process");
    var cst = require_cst();
    var lexer = require_lexer();
    function includesToken(list, type) {
      for (let i = 0; i < list.length; ++i)
        if (list[i].type === type)
          return true;
      return false;
    }
    function findNonEmptyIndex(list) {
      for (let i = 0; i < list.length; ++i) {
        switch (list[i].type) {
          case "space":
          case "comment":
          case "newline":
            break;
          default:
            return i;
        }
      }
      return -1;
    }
    function isFlowToken(token) {
      switch (token?.type) {
        case "alias":
        case "scalar":
        case "single-quoted-scalar":
        case "double-quoted-scalar":
        case "flow-collection":
          return true;
        default:
          return false;
      }
    }
    function getPrevProps(parent) {
      switch (parent.type) {
        case "document":
          return parent.start;
        case "block-map": {
          const it = parent.items[parent.items.length - 1];
          return it.sep ?? it.start;
        }
        case "block-seq":
          return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
          return [];
      }
    }
    function getFirstKeyStartProps(prev) {
      if (prev.length === 0)
        return [];
      let i = prev.length;
      loop: while (--i >= 0) {
        switch (prev[i].type) {
          case "doc-start":
          case "explicit-key-ind":
          case "map-value-ind":
          case "seq-item-ind":
          case "newline":
            break loop;
        }
      }
      while (prev[++i]?.type === "space") {
      }
      return prev.splice(i, prev.length);
    }
    function arrayPushArray(target, source) {
      if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
      else
        for (let i = 0; i < source.length; ++i)
          target.push(source[i]);
    }
    function fixFlowSeqItems(fc) {
      if (fc.start.type === "flow-seq-start") {
        for (const it of fc.items) {
          if (it.sep && !it.value && !includesToken(it.start, "explicit-key-ind") && !includesToken(it.sep, "map-value-ind")) {
            if (it.key)
              it.value = it.key;
            delete it.key;
            if (isFlowToken(it.value)) {
              if (it.value.end)
                arrayPushArray(it.value.end, it.sep);
              else
                it.value.end = it.sep;
            } else
              arrayPushArray(it.start, it.sep);
            delete it.sep;
          }
        }
      }
    }
    var Parser = class {
      /**
       * @param onNewLine - If defined, called separately with the start position of
       *   each new line (in `parse()`, including the start of input).
       */
      constructor(onNewLine) {
        this.atNewLine = true;
        this.atScalar = false;
        this.indent = 0;
        this.offset = 0;
        this.onKeyLine = false;
        this.stack = [];
        this.source = "";
        this.type = "";
        this.lexer = new lexer.Lexer();
        this.onNewLine = onNewLine;
      }
      /**
       * Parse `source` as a YAML stream.
       * If `incomplete`, a part of the last line may be left as a buffer for the next call.
       *
       * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
       *
       * @returns A generator of tokens representing each directive, document, and other structure.
       */
      *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
          this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
          yield* this.next(lexeme);
        if (!incomplete)
          yield* this.end();
      }
      /**
       * Advance the parser by the `source` of one lexical token.
       */
      *next(source) {
        this.source = source;
        if (node_process.env.LOG_TOKENS)
          console.log("|", cst.prettyToken(source));
        if (this.atScalar) {
          this.atScalar = false;
          yield* this.step();
          this.offset += source.length;
          return;
        }
        const type = cst.tokenType(source);
        if (!type) {
          const message = `Not a YAML token: ${source}`;
          yield* this.pop({ type: "error", offset: this.offset, message, source });
          this.offset += source.length;
        } else if (type === "scalar") {
          this.atNewLine = false;
          this.atScalar = true;
          this.type = "scalar";
        } else {
          this.type = type;
          yield* this.step();
          switch (type) {
            case "newline":
              this.atNewLine = true;
              this.indent = 0;
              if (this.onNewLine)
                this.onNewLine(this.offset + source.length);
              break;
            case "space":
              if (this.atNewLine && source[0] === " ")
                this.indent += source.length;
              break;
            case "explicit-key-ind":
            case "map-value-ind":
            case "seq-item-ind":
              if (this.atNewLine)
                this.indent += source.length;
              break;
            case "doc-mode":
            case "flow-error-end":
              return;
            default:
              this.atNewLine = false;
          }
          this.offset += source.length;
        }
      }
      /** Call at end of input to push out any remaining constructions */
      *end() {
        while (this.stack.length > 0)
          yield* this.pop();
      }
      get sourceToken() {
        const st = {
          type: this.type,
          offset: this.offset,
          indent: this.indent,
          source: this.source
        };
        return st;
      }
      *step() {
        const top = this.peek(1);
        if (this.type === "doc-end" && top?.type !== "doc-end") {
          while (this.stack.length > 0)
            yield* this.pop();
          this.stack.push({
            type: "doc-end",
            offset: this.offset,
            source: this.source
          });
          return;
        }
        if (!top)
          return yield* this.stream();
        switch (top.type) {
          case "document":
            return yield* this.document(top);
          case "alias":
          case "scalar":
          case "single-quoted-scalar":
          case "double-quoted-scalar":
            return yield* this.scalar(top);
          case "block-scalar":
            return yield* this.blockScalar(top);
          case "block-map":
            return yield* this.blockMap(top);
          case "block-seq":
            return yield* this.blockSequence(top);
          case "flow-collection":
            return yield* this.flowCollection(top);
          case "doc-end":
            return yield* this.documentEnd(top);
        }
        yield* this.pop();
      }
      peek(n) {
        return this.stack[this.stack.length - n];
      }
      *pop(error) {
        const token = error ?? this.stack.pop();
        if (!token) {
          const message = "Tried to pop an empty stack";
          yield { type: "error", offset: this.offset, source: "", message };
        } else if (this.stack.length === 0) {
          yield token;
        } else {
          const top = this.peek(1);
          if (token.type === "block-scalar") {
            token.indent = "indent" in top ? top.indent : 0;
          } else if (token.type === "flow-collection" && top.type === "document") {
            token.indent = 0;
          }
          if (token.type === "flow-collection")
            fixFlowSeqItems(token);
          switch (top.type) {
            case "document":
              top.value = token;
              break;
            case "block-scalar":
              top.props.push(token);
              break;
            case "block-map": {
              const it = top.items[top.items.length - 1];
              if (it.value) {
                top.items.push({ start: [], key: token, sep: [] });
                this.onKeyLine = true;
                return;
              } else if (it.sep) {
                it.value = token;
              } else {
                Object.assign(it, { key: token, sep: [] });
                this.onKeyLine = !it.explicitKey;
                return;
              }
              break;
            }
            case "block-seq": {
              const it = top.items[top.items.length - 1];
              if (it.value)
                top.items.push({ start: [], value: token });
              else
                it.value = token;
              break;
            }
            case "flow-collection": {
              const it = top.items[top.items.length - 1];
              if (!it || it.value)
                top.items.push({ start: [], key: token, sep: [] });
              else if (it.sep)
                it.value = token;
              else
                Object.assign(it, { key: token, sep: [] });
              return;
            }
            /* istanbul ignore next should not happen */
            default:
              yield* this.pop();
              yield* this.pop(token);
          }
          if ((top.type === "document" || top.type === "block-map" || top.type === "block-seq") && (token.type === "block-map" || token.type === "block-seq")) {
            const last = token.items[token.items.length - 1];
            if (last && !last.sep && !last.value && last.start.length > 0 && findNonEmptyIndex(last.start) === -1 && (token.indent === 0 || last.start.every((st) => st.type !== "comment" || st.indent < token.indent))) {
              if (top.type === "document")
                top.end = last.start;
              else
                top.items.push({ start: last.start });
              token.items.splice(-1, 1);
            }
          }
        }
      }
      *stream() {
        switch (this.type) {
          case "directive-line":
            yield { type: "directive", offset: this.offset, source: this.source };
            return;
          case "byte-order-mark":
          case "space":
          case "comment":
          case "newline":
            yield this.sourceToken;
            return;
          case "doc-mode":
          case "doc-start": {
            const doc = {
              type: "document",
              offset: this.offset,
              start: []
            };
            if (this.type === "doc-start")
              doc.start.push(this.sourceToken);
            this.stack.push(doc);
            return;
          }
        }
        yield {
          type: "error",
          offset: this.offset,
          message: `Unexpected ${this.type} token in YAML stream`,
          source: this.source
        };
      }
      *document(doc) {
        if (doc.value)
          return yield* this.lineEnd(doc);
        switch (this.type) {
          case "doc-start": {
            if (findNonEmptyIndex(doc.start) !== -1) {
              yield* this.pop();
              yield* this.step();
            } else
              doc.start.push(this.sourceToken);
            return;
          }
          case "anchor":
          case "tag":
          case "space":
          case "comment":
          case "newline":
            doc.start.push(this.sourceToken);
            return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
          this.stack.push(bv);
        else {
          yield {
            type: "error",
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML document`,
            source: this.source
          };
        }
      }
      *scalar(scalar) {
        if (this.type === "map-value-ind") {
          const prev = getPrevProps(this.peek(2));
          const start = getFirstKeyStartProps(prev);
          let sep;
          if (scalar.end) {
            sep = scalar.end;
            sep.push(this.sourceToken);
            delete scalar.end;
          } else
            sep = [this.sourceToken];
          const map = {
            type: "block-map",
            offset: scalar.offset,
            indent: scalar.indent,
            items: [{ start, key: scalar, sep }]
          };
          this.onKeyLine = true;
          this.stack[this.stack.length - 1] = map;
        } else
          yield* this.lineEnd(scalar);
      }
      *blockScalar(scalar) {
        switch (this.type) {
          case "space":
          case "comment":
          case "newline":
            scalar.props.push(this.sourceToken);
            return;
          case "scalar":
            scalar.source = this.source;
            this.atNewLine = true;
            this.indent = 0;
            if (this.onNewLine) {
              let nl = this.source.indexOf("\n") + 1;
              while (nl !== 0) {
                this.onNewLine(this.offset + nl);
                nl = this.source.indexOf("\n", nl) + 1;
              }
            }
            yield* this.pop();
            break;
          /* istanbul ignore next should not happen */
          default:
            yield* this.pop();
            yield* this.step();
        }
      }
      *blockMap(map) {
        const it = map.items[map.items.length - 1];
        switch (this.type) {
          case "newline":
            this.onKeyLine = false;
            if (it.value) {
              const end = "end" in it.value ? it.value.end : void 0;
              const last = Array.isArray(end) ? end[end.length - 1] : void 0;
              if (last?.type === "comment")
                end?.push(this.sourceToken);
              else
                map.items.push({ start: [this.sourceToken] });
            } else if (it.sep) {
              it.sep.push(this.sourceToken);
            } else {
              it.start.push(this.sourceToken);
            }
            return;
          case "space":
          case "comment":
            if (it.value) {
              map.items.push({ start: [this.sourceToken] });
            } else if (it.sep) {
              it.sep.push(this.sourceToken);
            } else {
              if (this.atIndentedComment(it.start, map.indent)) {
                const prev = map.items[map.items.length - 2];
                const end = prev?.value?.end;
                if (Array.isArray(end)) {
                  arrayPushArray(end, it.start);
                  end.push(this.sourceToken);
                  map.items.pop();
                  return;
                }
              }
              it.start.push(this.sourceToken);
            }
            return;
        }
        if (this.indent >= map.indent) {
          const atMapIndent = !this.onKeyLine && this.indent === map.indent;
          const atNextItem = atMapIndent && (it.sep || it.explicitKey) && this.type !== "seq-item-ind";
          let start = [];
          if (atNextItem && it.sep && !it.value) {
            const nl = [];
            for (let i = 0; i < it.sep.length; ++i) {
              const st = it.sep[i];
              switch (st.type) {
                case "newline":
                  nl.push(i);
                  break;
                case "space":
                  break;
                case "comment":
                  if (st.indent > map.indent)
                    nl.length = 0;
                  break;
                default:
                  nl.length = 0;
              }
            }
            if (nl.length >= 2)
              start = it.sep.splice(nl[1]);
          }
          switch (this.type) {
            case "anchor":
            case "tag":
              if (atNextItem || it.value) {
                start.push(this.sourceToken);
                map.items.push({ start });
                this.onKeyLine = true;
              } else if (it.sep) {
                it.sep.push(this.sourceToken);
              } else {
                it.start.push(this.sourceToken);
              }
              return;
            case "explicit-key-ind":
              if (!it.sep && !it.explicitKey) {
                it.start.push(this.sourceToken);
                it.explicitKey = true;
              } else if (atNextItem || it.value) {
                start.push(this.sourceToken);
                map.items.push({ start, explicitKey: true });
              } else {
                this.stack.push({
                  type: "block-map",
                  offset: this.offset,
                  indent: this.indent,
                  items: [{ start: [this.sourceToken], explicitKey: true }]
                });
              }
              this.onKeyLine = true;
              return;
            case "map-value-ind":
              if (it.explicitKey) {
                if (!it.sep) {
                  if (includesToken(it.start, "newline")) {
                    Object.assign(it, { key: null, sep: [this.sourceToken] });
                  } else {
                    const start2 = getFirstKeyStartProps(it.start);
                    this.stack.push({
                      type: "block-map",
                      offset: this.offset,
                      indent: this.indent,
                      items: [{ start: start2, key: null, sep: [this.sourceToken] }]
                    });
                  }
                } else if (it.value) {
                  map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                } else if (includesToken(it.sep, "map-value-ind")) {
                  this.stack.push({
                    type: "block-map",
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                  });
                } else if (isFlowToken(it.key) && !includesToken(it.sep, "newline")) {
                  const start2 = getFirstKeyStartProps(it.start);
                  const key = it.key;
                  const sep = it.sep;
                  sep.push(this.sourceToken);
                  delete it.key;
                  delete it.sep;
                  this.stack.push({
                    type: "block-map",
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: start2, key, sep }]
                  });
                } else if (start.length > 0) {
                  it.sep = it.sep.concat(start, this.sourceToken);
                } else {
                  it.sep.push(this.sourceToken);
                }
              } else {
                if (!it.sep) {
                  Object.assign(it, { key: null, sep: [this.sourceToken] });
                } else if (it.value || atNextItem) {
                  map.items.push({ start, key: null, sep: [this.sourceToken] });
                } else if (includesToken(it.sep, "map-value-ind")) {
                  this.stack.push({
                    type: "block-map",
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [], key: null, sep: [this.sourceToken] }]
                  });
                } else {
                  it.sep.push(this.sourceToken);
                }
              }
              this.onKeyLine = true;
              return;
            case "alias":
            case "scalar":
            case "single-quoted-scalar":
            case "double-quoted-scalar": {
              const fs = this.flowScalar(this.type);
              if (atNextItem || it.value) {
                map.items.push({ start, key: fs, sep: [] });
                this.onKeyLine = true;
              } else if (it.sep) {
                this.stack.push(fs);
              } else {
                Object.assign(it, { key: fs, sep: [] });
                this.onKeyLine = true;
              }
              return;
            }
            default: {
              const bv = this.startBlockValue(map);
              if (bv) {
                if (bv.type === "block-seq") {
                  if (!it.explicitKey && it.sep && !includesToken(it.sep, "newline")) {
                    yield* this.pop({
                      type: "error",
                      offset: this.offset,
                      message: "Unexpected block-seq-ind on same line with key",
                      source: this.source
                    });
                    return;
                  }
                } else if (atMapIndent) {
                  map.items.push({ start });
                }
                this.stack.push(bv);
                return;
              }
            }
          }
        }
        yield* this.pop();
        yield* this.step();
      }
      *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
          case "newline":
            if (it.value) {
              const end = "end" in it.value ? it.value.end : void 0;
              const last = Array.isArray(end) ? end[end.length - 1] : void 0;
              if (last?.type === "comment")
                end?.push(this.sourceToken);
              else
                seq.items.push({ start: [this.sourceToken] });
            } else
              it.start.push(this.sourceToken);
            return;
          case "space":
          case "comment":
            if (it.value)
              seq.items.push({ start: [this.sourceToken] });
            else {
              if (this.atIndentedComment(it.start, seq.indent)) {
                const prev = seq.items[seq.items.length - 2];
                const end = prev?.value?.end;
                if (Array.isArray(end)) {
                  arrayPushArray(end, it.start);
                  end.push(this.sourceToken);
                  seq.items.pop();
                  return;
                }
              }
              it.start.push(this.sourceToken);
            }
            return;
          case "anchor":
          case "tag":
            if (it.value || this.indent <= seq.indent)
              break;
            it.start.push(this.sourceToken);
            return;
          case "seq-item-ind":
            if (this.indent !== seq.indent)
              break;
            if (it.value || includesToken(it.start, "seq-item-ind"))
              seq.items.push({ start: [this.sourceToken] });
            else
              it.start.push(this.sourceToken);
            return;
        }
        if (this.indent > seq.indent) {
          const bv = this.startBlockValue(seq);
          if (bv) {
            this.stack.push(bv);
            return;
          }
        }
        yield* this.pop();
        yield* this.step();
      }
      *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === "flow-error-end") {
          let top;
          do {
            yield* this.pop();
            top = this.peek(1);
          } while (top?.type === "flow-collection");
        } else if (fc.end.length === 0) {
          switch (this.type) {
            case "comma":
            case "explicit-key-ind":
              if (!it || it.sep)
                fc.items.push({ start: [this.sourceToken] });
              else
                it.start.push(this.sourceToken);
              return;
            case "map-value-ind":
              if (!it || it.value)
                fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
              else if (it.sep)
                it.sep.push(this.sourceToken);
              else
                Object.assign(it, { key: null, sep: [this.sourceToken] });
              return;
            case "space":
            case "comment":
            case "newline":
            case "anchor":
            case "tag":
              if (!it || it.value)
                fc.items.push({ start: [this.sourceToken] });
              else if (it.sep)
                it.sep.push(this.sourceToken);
              else
                it.start.push(this.sourceToken);
              return;
            case "alias":
            case "scalar":
            case "single-quoted-scalar":
            case "double-quoted-scalar": {
              const fs = this.flowScalar(this.type);
              if (!it || it.value)
                fc.items.push({ start: [], key: fs, sep: [] });
              else if (it.sep)
                this.stack.push(fs);
              else
                Object.assign(it, { key: fs, sep: [] });
              return;
            }
            case "flow-map-end":
            case "flow-seq-end":
              fc.end.push(this.sourceToken);
              return;
          }
          const bv = this.startBlockValue(fc);
          if (bv)
            this.stack.push(bv);
          else {
            yield* this.pop();
            yield* this.step();
          }
        } else {
          const parent = this.peek(2);
          if (parent.type === "block-map" && (this.type === "map-value-ind" && parent.indent === fc.indent || this.type === "newline" && !parent.items[parent.items.length - 1].sep)) {
            yield* this.pop();
            yield* this.step();
          } else if (this.type === "map-value-ind" && parent.type !== "flow-collection") {
            const prev = getPrevProps(parent);
            const start = getFirstKeyStartProps(prev);
            fixFlowSeqItems(fc);
            const sep = fc.end.splice(1, fc.end.length);
            sep.push(this.sourceToken);
            const map = {
              type: "block-map",
              offset: fc.offset,
              indent: fc.indent,
              items: [{ start, key: fc, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
          } else {
            yield* this.lineEnd(fc);
          }
        }
      }
      flowScalar(type) {
        if (this.onNewLine) {
          let nl = this.source.indexOf("\n") + 1;
          while (nl !== 0) {
            this.onNewLine(this.offset + nl);
            nl = this.source.indexOf("\n", nl) + 1;
          }
        }
        return {
          type,
          offset: this.offset,
          indent: this.indent,
          source: this.source
        };
      }
      startBlockValue(parent) {
        switch (this.type) {
          case "alias":
          case "scalar":
          case "single-quoted-scalar":
          case "double-quoted-scalar":
            return this.flowScalar(this.type);
          case "block-scalar-header":
            return {
              type: "block-scalar",
              offset: this.offset,
              indent: this.indent,
              props: [this.sourceToken],
              source: ""
            };
          case "flow-map-start":
          case "flow-seq-start":
            return {
              type: "flow-collection",
              offset: this.offset,
              indent: this.indent,
              start: this.sourceToken,
              items: [],
              end: []
            };
          case "seq-item-ind":
            return {
              type: "block-seq",
              offset: this.offset,
              indent: this.indent,
              items: [{ start: [this.sourceToken] }]
            };
          case "explicit-key-ind": {
            this.onKeyLine = true;
            const prev = getPrevProps(parent);
            const start = getFirstKeyStartProps(prev);
            start.push(this.sourceToken);
            return {
              type: "block-map",
              offset: this.offset,
              indent: this.indent,
              items: [{ start, explicitKey: true }]
            };
          }
          case "map-value-ind": {
            this.onKeyLine = true;
            const prev = getPrevProps(parent);
            const start = getFirstKeyStartProps(prev);
            return {
              type: "block-map",
              offset: this.offset,
              indent: this.indent,
              items: [{ start, key: null, sep: [this.sourceToken] }]
            };
          }
        }
        return null;
      }
      atIndentedComment(start, indent) {
        if (this.type !== "comment")
          return false;
        if (this.indent <= indent)
          return false;
        return start.every((st) => st.type === "newline" || st.type === "space");
      }
      *documentEnd(docEnd) {
        if (this.type !== "doc-mode") {
          if (docEnd.end)
            docEnd.end.push(this.sourceToken);
          else
            docEnd.end = [this.sourceToken];
          if (this.type === "newline")
            yield* this.pop();
        }
      }
      *lineEnd(token) {
        switch (this.type) {
          case "comma":
          case "doc-start":
          case "doc-end":
          case "flow-seq-end":
          case "flow-map-end":
          case "map-value-ind":
            yield* this.pop();
            yield* this.step();
            break;
          case "newline":
            this.onKeyLine = false;
          // fallthrough
          case "space":
          case "comment":
          default:
            if (token.end)
              token.end.push(this.sourceToken);
            else
              token.end = [this.sourceToken];
            if (this.type === "newline")
              yield* this.pop();
        }
      }
    };
    exports.Parser = Parser;
  }
});

// node_modules/yaml/dist/public-api.js
var require_public_api = __commonJS({
  "node_modules/yaml/dist/public-api.js"(exports) {
    "use strict";
    var composer = require_composer();
    var Document = require_Document();
    var errors = require_errors();
    var log2 = require_log();
    var identity = require_identity();
    var lineCounter = require_line_counter();
    var parser = require_parser();
    function parseOptions(options) {
      const prettyErrors = options.prettyErrors !== false;
      const lineCounter$1 = options.lineCounter || prettyErrors && new lineCounter.LineCounter() || null;
      return { lineCounter: lineCounter$1, prettyErrors };
    }
    function parseAllDocuments(source, options = {}) {
      const { lineCounter: lineCounter2, prettyErrors } = parseOptions(options);
      const parser$1 = new parser.Parser(lineCounter2?.addNewLine);
      const composer$1 = new composer.Composer(options);
      const docs = Array.from(composer$1.compose(parser$1.parse(source)));
      if (prettyErrors && lineCounter2)
        for (const doc of docs) {
          doc.errors.forEach(errors.prettifyError(source, lineCounter2));
          doc.warnings.forEach(errors.prettifyError(source, lineCounter2));
        }
      if (docs.length > 0)
        return docs;
      return Object.assign([], { empty: true }, composer$1.streamInfo());
    }
    function parseDocument2(source, options = {}) {
      const { lineCounter: lineCounter2, prettyErrors } = parseOptions(options);
      const parser$1 = new parser.Parser(lineCounter2?.addNewLine);
      const composer$1 = new composer.Composer(options);
      let doc = null;
      for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
        if (!doc)
          doc = _doc;
        else if (doc.options.logLevel !== "silent") {
          doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
          break;
        }
      }
      if (prettyErrors && lineCounter2) {
        doc.errors.forEach(errors.prettifyError(source, lineCounter2));
        doc.warnings.forEach(errors.prettifyError(source, lineCounter2));
      }
      return doc;
    }
    function parse(src, reviver, options) {
      let _reviver = void 0;
      if (typeof reviver === "function") {
        _reviver = reviver;
      } else if (options === void 0 && reviver && typeof reviver === "object") {
        options = reviver;
      }
      const doc = parseDocument2(src, options);
      if (!doc)
        return null;
      doc.warnings.forEach((warning) => log2.warn(doc.options.logLevel, warning));
      if (doc.errors.length > 0) {
        if (doc.options.logLevel !== "silent")
          throw doc.errors[0];
        else
          doc.errors = [];
      }
      return doc.toJS(Object.assign({ reviver: _reviver }, options));
    }
    function stringify(value, replacer, options) {
      let _replacer = null;
      if (typeof replacer === "function" || Array.isArray(replacer)) {
        _replacer = replacer;
      } else if (options === void 0 && replacer) {
        options = replacer;
      }
      if (typeof options === "string")
        options = options.length;
      if (typeof options === "number") {
        const indent = Math.round(options);
        options = indent < 1 ? void 0 : indent > 8 ? { indent: 8 } : { indent };
      }
      if (value === void 0) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
          return void 0;
      }
      if (identity.isDocument(value) && !_replacer)
        return value.toString(options);
      return new Document.Document(value, _replacer, options).toString(options);
    }
    exports.parse = parse;
    exports.parseAllDocuments = parseAllDocuments;
    exports.parseDocument = parseDocument2;
    exports.stringify = stringify;
  }
});

// node_modules/yaml/dist/index.js
var require_dist = __commonJS({
  "node_modules/yaml/dist/index.js"(exports) {
    "use strict";
    var composer = require_composer();
    var Document = require_Document();
    var Schema = require_Schema();
    var errors = require_errors();
    var Alias = require_Alias();
    var identity = require_identity();
    var Pair = require_Pair();
    var Scalar = require_Scalar();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var cst = require_cst();
    var lexer = require_lexer();
    var lineCounter = require_line_counter();
    var parser = require_parser();
    var publicApi = require_public_api();
    var visit = require_visit();
    exports.Composer = composer.Composer;
    exports.Document = Document.Document;
    exports.Schema = Schema.Schema;
    exports.YAMLError = errors.YAMLError;
    exports.YAMLParseError = errors.YAMLParseError;
    exports.YAMLWarning = errors.YAMLWarning;
    exports.Alias = Alias.Alias;
    exports.isAlias = identity.isAlias;
    exports.isCollection = identity.isCollection;
    exports.isDocument = identity.isDocument;
    exports.isMap = identity.isMap;
    exports.isNode = identity.isNode;
    exports.isPair = identity.isPair;
    exports.isScalar = identity.isScalar;
    exports.isSeq = identity.isSeq;
    exports.Pair = Pair.Pair;
    exports.Scalar = Scalar.Scalar;
    exports.YAMLMap = YAMLMap.YAMLMap;
    exports.YAMLSeq = YAMLSeq.YAMLSeq;
    exports.CST = cst;
    exports.Lexer = lexer.Lexer;
    exports.LineCounter = lineCounter.LineCounter;
    exports.Parser = parser.Parser;
    exports.parse = publicApi.parse;
    exports.parseAllDocuments = publicApi.parseAllDocuments;
    exports.parseDocument = publicApi.parseDocument;
    exports.stringify = publicApi.stringify;
    exports.visit = visit.visit;
    exports.visitAsync = visit.visitAsync;
  }
});

// src/main.ts
import { tmpdir } from "node:os";

// src/action/workflow-run.ts
function workflowRun(env) {
  return {
    serverUrl: env["GITHUB_SERVER_URL"] || "https://github.com",
    apiUrl: env["GITHUB_API_URL"] || "https://api.github.com",
    repository: env["GITHUB_REPOSITORY"] ?? "",
    runId: env["GITHUB_RUN_ID"] ?? "",
    job: env["GITHUB_JOB"] || "job",
    attempt: env["GITHUB_RUN_ATTEMPT"] || "1",
    ...env["RUNNER_TEMP"] ? { tempDir: env["RUNNER_TEMP"] } : {},
    ...env["GITHUB_ACTOR"] ? { actor: env["GITHUB_ACTOR"] } : {},
    ...env["GITHUB_EVENT_PATH"] ? { eventPath: env["GITHUB_EVENT_PATH"] } : {}
  };
}

// src/action/cancel.ts
function cancelSignals(os = process.platform) {
  return os === "win32" ? ["SIGINT", "SIGTERM", "SIGBREAK"] : ["SIGINT", "SIGTERM"];
}
function abortOnSignals(source, controller, signals = cancelSignals()) {
  const listener = (signal) => {
    if (controller.signal.aborted) return;
    log.info(logText`Received ${signal}: cancelling; the step in progress will commit nothing.`);
    controller.abort(signal);
  };
  for (const signal of signals) source.on(signal, listener);
  return () => {
    for (const signal of signals) source.off(signal, listener);
  };
}

// src/action/steps/types.ts
var RESTRICTED_POLICIES = ["ignore", "info", "warn", "error"];

// src/action/inputs.ts
var STEP_KINDS = ["backup", "restore", "verify", "release", "renew"];
function readActionInputs() {
  const only = getInput("only");
  if (only !== "" && !STEP_KINDS.includes(only)) {
    throw new ConfigError(
      `The \`only\` input is ${JSON.stringify(only)}: it must be \`backup\`, \`restore\`, \`verify\`, \`release\`, \`renew\`, or empty to run every step.`
    );
  }
  const onRestricted = getInput("on-restricted");
  if (onRestricted !== "" && !RESTRICTED_POLICIES.includes(onRestricted)) {
    throw new ConfigError(
      `The \`on-restricted\` input is ${JSON.stringify(onRestricted)}: it must be one of ${RESTRICTED_POLICIES.map((p) => `\`${p}\``).join(", ")}, or empty to use each step's setting.`
    );
  }
  return {
    config: getInput("config") || ".github/license-backup.yml",
    steps: getInput("steps"),
    ...only === "" ? {} : { only },
    ...onRestricted === "" ? {} : { onRestricted },
    githubToken: getInput("github-token")
  };
}

// src/action/outputs.ts
function setOutputs(report) {
  const artifact = report.lastArtifact;
  setOutput("backed-up", report.backedUp);
  setOutput("restored", report.restored);
  setOutput("lease-expires", report.leaseExpires);
  setOutput("verified", report.verified);
  setOutput("pack-size", report.lastPack.size);
  setOutput("bytes-per-license", report.lastPack.perLicense);
  setOutput("restricted", report.restricted.length);
  setOutput("restricted-key-ids", JSON.stringify(report.restrictedKeyIds));
  setOutput("backup-path", report.lastBackupPath);
  setOutput("artifact-id", artifact ? String(artifact.id) : "");
  setOutput("artifact-url", artifact?.url ?? "");
  setOutput("artifact-digest", artifact?.digest ?? "");
  const push = report.lastPush;
  setOutput("registry-digest", push?.digest ?? "");
  setOutput("registry-tags", JSON.stringify(push?.tags ?? []));
}

// src/action/backup-origin.ts
function backupOrigin(env) {
  const repository = env["GITHUB_REPOSITORY"];
  if (!repository || env["GITHUB_ACTIONS"] !== "true") return void 0;
  const workflowRef = env["GITHUB_WORKFLOW_REF"] ?? "";
  const workflowFile = workflowRef.split("@")[0]?.split("/").pop();
  const fields = [
    ["repository", repository],
    ["workflow", workflowFile || env["GITHUB_WORKFLOW"]],
    ["ref", env["GITHUB_REF_NAME"] || env["GITHUB_REF"]],
    ["sha", env["GITHUB_SHA"]],
    ["run_id", env["GITHUB_RUN_ID"]],
    ["run_attempt", env["GITHUB_RUN_ATTEMPT"]],
    ["job", env["GITHUB_JOB"]],
    ["event", env["GITHUB_EVENT_NAME"]]
  ];
  return Object.fromEntries(fields.filter((field) => !!field[1]));
}

// src/action/steps/parse.ts
var import_yaml = __toESM(require_dist(), 1);
var HINTS = {
  TAB_AS_INDENT: " Indent with spaces.",
  DUPLICATE_KEY: " Remove one of them."
};
function parseSteps(text, source, file) {
  const lineCounter = new import_yaml.LineCounter();
  const doc = (0, import_yaml.parseDocument)(text, { lineCounter, prettyErrors: true });
  const at = (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { source, ...file === void 0 ? {} : { file }, line, column: col };
  };
  const first = doc.errors[0];
  if (first) {
    const message = first.message.split(/ at line \d+, column \d+/)[0] ?? first.message;
    throw new ConfigError(
      `YAML syntax error: ${message} (${first.code}).${HINTS[first.code] ?? ""}`,
      at(first.pos[0])
    );
  }
  const nodeAt = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (node && typeof node === "object" && "range" in node && node.range) return node;
    }
    return void 0;
  };
  const locate = (path) => at(nodeAt(path)?.range?.[0] ?? 0);
  const locateKey = (path, key) => {
    const map = nodeAt(path);
    if ((0, import_yaml.isMap)(map)) {
      const pair = map.items.find((p) => (0, import_yaml.isScalar)(p.key) && String(p.key.value) === key);
      if (pair && (0, import_yaml.isScalar)(pair.key) && pair.key.range) return at(pair.key.range[0]);
    }
    return locate(path);
  };
  let data;
  try {
    data = doc.toJS();
  } catch (error) {
    throw new ConfigError(
      `the YAML cannot be read: ${error.message}. Write the values out instead of repeating aliases (*name).`,
      at(0)
    );
  }
  return { source, ...file === void 0 ? {} : { file }, doc, data, locate, locateKey };
}

// src/action/steps/schema-validator.ts
var validate = validate20;
var schema31 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://github.com/license-backup/license-backup/schema/license-backup.schema.json",
  title: "license-backup steps file",
  description: "Backup, restore and verify steps for the license-backup action (version 1).",
  type: "object",
  additionalProperties: false,
  required: ["version", "steps"],
  properties: {
    version: {
      description: "The version of this file's format. Only 1 exists.",
      const: 1,
      "x-message": "must be 1 (the only version of the steps file this action reads)"
    },
    store: { $ref: "#/$defs/store" },
    pattern: { $ref: "#/$defs/pattern" },
    catalog: {
      description: "Optional catalog file (CSV `key_id,title` with a header row, or JSON) mapping key IDs to titles, so restricted licenses are reported by title.",
      type: "string",
      minLength: 1
    },
    trust: {
      description: "Where the issuer's signing keys come from; without it licenses are not verified (one warning). Exactly one of `jwks`, `jwks-url` or `service`.",
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      "x-message": "must name exactly one trust source: `jwks`, `jwks-url` or `service: true`",
      properties: {
        jwks: {
          description: "Path of a JWKS file with the issuer's public keys.",
          type: "string",
          minLength: 1
        },
        "jwks-url": {
          description: "URL of a JWKS document with the issuer's public keys.",
          type: "string",
          pattern: "^https?://",
          "x-message": "must be an http(s) URL"
        },
        service: {
          description: "Use the license service's `/.well-known/jwks.json` (needs `service.url`).",
          const: true,
          "x-message": "must be true (use the service's /.well-known/jwks.json)"
        }
      }
    },
    service: {
      description: "The license management service used by restore steps.",
      type: "object",
      additionalProperties: false,
      required: ["url"],
      properties: {
        url: {
          description: "Base URL of the license service (protocol v1).",
          type: "string",
          pattern: "^https?://",
          "x-message": "must be an http(s) URL"
        },
        "token-env": {
          description: "Name of the environment variable holding the service's bearer token (set it from a secret). The token never goes in this file.",
          $ref: "#/$defs/envName"
        }
      }
    },
    signers: {
      description: 'An OpenSSH allowed_signers file (`principals [namespaces="license-backup"] ssh-ed25519 AAAA\u2026` a line). With it, restore and verify steps refuse a backup whose manifest is not signed by a key in it (BACKUP_UNTRUSTED) before anything is written or the service is called. Without it, an unsigned backup restores with one warning.',
      type: "string",
      minLength: 1
    },
    "max-age": { $ref: "#/$defs/maxAge" },
    steps: {
      description: "The steps, run in order. Each is `backup:`, `restore:`, `verify:`, `release:` or `renew:`.",
      type: "array",
      minItems: 1,
      "x-message": "must list at least one `backup`, `restore`, `verify`, `release` or `renew` step",
      items: {
        description: "One step: a map with the single key `backup`, `restore`, `verify`, `release` or `renew`.",
        type: "object",
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        "x-message": "must be a map with exactly one key, `backup`, `restore`, `verify`, `release` or `renew`",
        properties: {
          backup: { $ref: "#/$defs/backup" },
          restore: { $ref: "#/$defs/restore" },
          verify: { $ref: "#/$defs/verify" },
          release: { $ref: "#/$defs/release" },
          renew: { $ref: "#/$defs/renew" }
        }
      }
    }
  },
  $defs: {
    rollBackInterrupted: {
      description: "When a restore of this store was interrupted and its journal (`.license-backup/restore/journal.json`) cannot be used (empty, cut short, of another version or store): roll that restore back (the licenses it had not yet moved in are dropped) and keep the journal aside as `journal.json.damaged-<time>`, instead of failing with STORE_INVALID. Default false. A readable journal is always finished.",
      type: "boolean"
    },
    store: {
      description: "The license store: a directory whose files matching `pattern` are licenses.",
      type: "string",
      minLength: 1
    },
    pattern: {
      description: "Glob of license files, relative to the store: `**` (any folders, a whole segment), `*` and `?`; other glob syntax is refused. Default `**/*.jwt`.",
      type: "string",
      minLength: 1
    },
    envName: {
      description: "The name of an environment variable of your own (not one of the runner's: ACTIONS_*, GITHUB_*, RUNNER_*).",
      type: "string",
      allOf: [
        {
          type: "string",
          pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
          "x-message": "must be the name of an environment variable (letters, digits and _), not its value"
        },
        {
          type: "string",
          not: {
            pattern: "^([Aa][Cc][Tt][Ii][Oo][Nn][Ss]|[Gg][Ii][Tt][Hh][Uu][Bb]|[Rr][Uu][Nn][Nn][Ee][Rr])_"
          },
          "x-message": "must not name one of the runner's own variables (ACTIONS_*, GITHUB_*, RUNNER_*, in any case): the action would hand the runner's credentials to the service. Name a variable of your own and set it from a secret in the step's `env:`"
        }
      ]
    },
    backup: {
      description: "Back up the store into a backup folder, and optionally upload it as an artifact.",
      type: "object",
      additionalProperties: false,
      properties: {
        path: { description: "The backup folder to write (BackupPath).", type: "string", minLength: 1 },
        "path-env": {
          description: "Name of the environment variable holding the backup folder's path, instead of `path`: for a path typed into a `workflow_dispatch` menu, passed through the step's `env:` and never written into this file.",
          $ref: "#/$defs/envName"
        },
        store: { $ref: "#/$defs/store" },
        pattern: { $ref: "#/$defs/pattern" },
        overwrite: {
          description: "Replace an existing backup at `path` atomically. When false (the default), an existing backup fails the step with BACKUP_EXISTS.",
          type: "boolean"
        },
        "on-restricted": {
          description: "What to do with licenses whose owner does not allow backup: `ignore` (count only), `info` (notice), `warn` (warning, the default) or `error` (complete the backup, then fail the step listing every key ID). The `on-restricted` input overrides it.",
          enum: ["ignore", "info", "warn", "error"]
        },
        "encrypt-to": {
          description: "age X25519 recipients (`age1\u2026`): the backup's pack is encrypted to them. Recommended for artifacts.",
          type: "array",
          minItems: 1,
          items: {
            description: "An age X25519 recipient, as printed by `age-keygen -y`.",
            type: "string",
            pattern: "^age1[02-9ac-hj-np-z]{58}$",
            "x-message": "is not an age X25519 recipient (`age1` followed by 58 bech32 characters, as printed by `age-keygen -y`)"
          }
        },
        compression: {
          description: "How the pack is compressed before it is encrypted: `gzip` (the default; `tar -tzf` opens it) or `none` (a plain tar).",
          enum: ["gzip", "none"]
        },
        sign: {
          description: "Sign the backup's manifest (`manifest.json.sig`, an SSH signature in the `license-backup` namespace) with an OpenSSH Ed25519 private key without a passphrase.",
          type: "object",
          additionalProperties: false,
          required: ["key-env"],
          properties: {
            "key-env": {
              description: "Name of the environment variable holding the private key file's text (`-----BEGIN OPENSSH PRIVATE KEY-----\u2026`). The key never goes in this file.",
              $ref: "#/$defs/envName"
            }
          }
        },
        format: {
          description: "The backup format to write: `license-backup/v2` (the default: compressed, with the index inside the pack, signable) or `license-backup/v1` for restore machines still on a release older than v2.",
          enum: ["license-backup/v2", "license-backup/v1"]
        },
        artifact: {
          description: "Upload the backup folder as a workflow artifact.",
          type: "object",
          additionalProperties: false,
          properties: {
            name: {
              description: "Artifact name. Default `license-backup-<job>-<attempt>`, unique per job and attempt.",
              type: "string",
              minLength: 1,
              pattern: '^[^"\\\\/:<>|*?\\r\\n]+$',
              "x-message": 'is not a valid artifact name: it cannot contain / \\ " : < > | * ? or line breaks'
            },
            "retention-days": {
              description: "Days before the artifact expires: 1 to 400, capped by the repository's setting (at most 90 in a public repository, 400 in a private one) with a warning. Default: the repository's setting.",
              type: "integer",
              minimum: 1,
              maximum: 400
            },
            "compression-level": {
              description: "Zip compression level, 0 (none) to 9, for a pack neither gzipped nor encrypted (`compression: none`, or format v1 unencrypted). Default 6; a gzipped or encrypted pack is stored at level 0, since it does not compress again.",
              type: "integer",
              minimum: 0,
              maximum: 9
            },
            overwrite: {
              description: "Delete an artifact of the same name in this run before uploading. Default false: a name in use is an error.",
              type: "boolean"
            }
          }
        },
        registry: { $ref: "#/$defs/registry" },
        "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
      },
      allOf: [
        {
          anyOf: [{ required: ["path"] }, { required: ["path-env"] }],
          "x-message": "needs `path` (the backup folder) or `path-env` (the variable holding it)"
        },
        { not: { required: ["path", "path-env"] }, "x-message": "takes `path` or `path-env`, not both" }
      ]
    },
    restore: {
      description: "Restore a backup into the store through the license service. Needs `path`, `from-artifact` or `from-registry`.",
      type: "object",
      additionalProperties: false,
      properties: {
        path: {
          description: "The backup folder to restore from (RestorePath). Not used with `from-artifact`, which downloads into a private temporary folder.",
          type: "string",
          minLength: 1
        },
        "path-env": {
          description: "Name of the environment variable holding the path of the backup folder to restore from, instead of `path` (see `backup.path-env`).",
          $ref: "#/$defs/envName"
        },
        store: { $ref: "#/$defs/store" },
        pattern: { $ref: "#/$defs/pattern" },
        "from-artifact": { $ref: "#/$defs/fromArtifact" },
        "from-registry": { $ref: "#/$defs/fromRegistry" },
        individualize: {
          description: "Consent to create this machine's key in the store if it has none (WM_RESTORE_INDIVIDUALIZE). Default false.",
          type: "boolean"
        },
        "identity-env": {
          description: "Name of the environment variable holding the age identity (`AGE-SECRET-KEY-1\u2026`) for an encrypted backup. The identity never goes in this file.",
          $ref: "#/$defs/envName"
        },
        "max-age": { $ref: "#/$defs/maxAge" },
        "on-refused": {
          description: "What a license the service would refuse does (protocol v1.1): `fail` (default) fails the step before any slot is used, listing every refusal with its URL; `skip` restores the rest and warns once per refused license.",
          enum: ["fail", "skip"]
        },
        include: { $ref: "#/$defs/include" },
        "machine-key-env": {
          description: "Name of the environment variable holding this machine's key (an Ed25519 private key as a JWK, or an OpenSSH Ed25519 private key without passphrase). With it, re-provisioned runners are the same machine and take no new slot; the key is never written to disk and the store needs no `individualize`.",
          $ref: "#/$defs/envName"
        },
        lease: { $ref: "#/$defs/lease" },
        "release-on-exit": {
          description: "Give back what this step restored when the job ends (the action's post step), also when the job failed or was cancelled: for ephemeral runners that need the licenses only for the job. Default false.",
          type: "boolean"
        },
        "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
      },
      allOf: [
        {
          anyOf: [
            { required: ["path"] },
            { required: ["path-env"] },
            { required: ["from-artifact"] },
            { required: ["from-registry"] }
          ],
          "x-message": "needs `path` (a backup folder), `path-env` (the variable holding it), `from-artifact` (an artifact holding one) or `from-registry` (a registry reference)"
        },
        { not: { required: ["path", "path-env"] }, "x-message": "takes `path` or `path-env`, not both" },
        {
          not: { required: ["from-artifact", "from-registry"] },
          "x-message": "takes `from-artifact` or `from-registry`, not both"
        }
      ]
    },
    registryUsername: {
      description: "User name for the registry's Basic auth and token server. Default: $GITHUB_ACTOR, else `license-backup` (GHCR takes any name with a GITHUB_TOKEN; Docker Hub needs the real one). Used only with `token-env`.",
      type: "string",
      minLength: 1,
      maxLength: 256
    },
    tokenRealms: {
      description: "Token servers on another origin than the registry that may receive its credentials (`https://auth.example.com`). The registry's own origin, and ghcr.io for GHCR and auth.docker.io for Docker Hub, need no entry; any other token server is asked for a token without the credentials.",
      type: "array",
      uniqueItems: true,
      items: {
        description: "An HTTPS origin, `https://host[:port]`, no path (`http://` only for 127.0.0.1 and localhost).",
        type: "string",
        pattern: "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$",
        "x-message": "is not an HTTPS origin such as https://auth.example.com (no path)"
      }
    },
    registry: {
      description: "Push the backup folder to an OCI registry as one artifact (artifactType application/vnd.license-backup.backup.v2), tagged with the UTC time (YYYYMMDDTHHMMSSZ) and `tags`.",
      type: "object",
      additionalProperties: false,
      required: ["repository"],
      properties: {
        repository: {
          description: "The repository, with its registry host: `ghcr.io/acme/license-backups`. HTTPS only; `http://` is allowed for 127.0.0.1 and localhost.",
          type: "string",
          minLength: 3,
          pattern: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+$",
          "x-message": "must be a registry repository such as ghcr.io/acme/license-backups (host, then a lower-case path; no tag)"
        },
        tags: {
          description: "Tags moved to the new backup once it is completely pushed (e.g. `nightly`).",
          type: "array",
          uniqueItems: true,
          items: {
            description: "A tag, e.g. `nightly`.",
            type: "string",
            pattern: "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$",
            "x-message": "is not a tag: up to 128 letters, digits, _ . and -, not starting with . or -"
          }
        },
        username: { $ref: "#/$defs/registryUsername" },
        "token-env": {
          description: "Name of the environment variable holding the registry token or password (for GHCR, set it from `secrets.GITHUB_TOKEN`). Without it the registry is used anonymously.",
          $ref: "#/$defs/envName"
        },
        "token-realms": { $ref: "#/$defs/tokenRealms" },
        keep: {
          description: "Retention, restic `forget` style: after the push, delete this tool's timestamp-tagged backups in the repository that no rule keeps. Never touches other manifests or anything another tag names.",
          type: "object",
          additionalProperties: false,
          anyOf: [
            { required: ["last"] },
            { required: ["daily"] },
            { required: ["weekly"] },
            { required: ["monthly"] }
          ],
          "x-message": "needs at least one rule: `last`, `daily`, `weekly` or `monthly`",
          properties: {
            last: { description: "Keep the N newest backups.", type: "integer", minimum: 1 },
            daily: {
              description: "Keep the newest backup of each of the last N days that have one (UTC).",
              type: "integer",
              minimum: 1
            },
            weekly: {
              description: "Keep the newest backup of each of the last N ISO weeks that have one.",
              type: "integer",
              minimum: 1
            },
            monthly: {
              description: "Keep the newest backup of each of the last N months that have one.",
              type: "integer",
              minimum: 1
            },
            "dry-run": { description: "List what would be deleted, and delete nothing.", type: "boolean" }
          }
        }
      }
    },
    lease: {
      description: "The lease to ask the license service for (protocol v1.2): `90s`, `30m`, `2h`, `7d`, at least a minute. Each copy it re-issues is valid that long (the service grants the shorter of this and the license's policy); an ephemeral runner asks for its job's length. Default: the service's policy.",
      type: "string",
      pattern: "^[1-9][0-9]{0,5}[smhd]$",
      "x-message": "must be a duration of seconds, minutes, hours or days, like `90s`, `30m`, `2h` or `7d`"
    },
    maxAge: {
      description: "Refuse a backup older than this (`7d`, `36h`), counted from its manifest's `created`: a rollback to an old backup is BACKUP_UNTRUSTED.",
      type: "string",
      pattern: "^[1-9][0-9]{0,5}[dh]$",
      "x-message": "must be a number of days or hours, like `7d` or `36h`"
    },
    fromArtifact: {
      description: "Download the backup from an artifact first (docs/format.md, where backups live): of this run; of `run-id` or `artifact-id`; or the newest non-expired one among the trusted runs of `workflow` (its `events` on its `branch`, never a fork unless `allow-forks`).",
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: {
        name: {
          description: "The artifact's name.",
          type: "string",
          minLength: 1,
          pattern: '^[^"\\\\/:<>|*?\\r\\n]+$',
          "x-message": 'is not a valid artifact name: it cannot contain / \\ " : < > | * ? or line breaks'
        },
        "run-id": {
          description: "The workflow run that uploaded the artifact (needs the `github-token` input with `actions: read`).",
          type: "integer",
          minimum: 1
        },
        "artifact-id": {
          description: "The artifact's ID (as in its URL): that artifact, which must have this `name` and not be expired (needs `github-token` with `actions: read`).",
          type: "integer",
          minimum: 1
        },
        workflow: {
          description: "A workflow file name (`nightly.yml`) or ID: the newest non-expired artifact of that name among its trusted successful runs is used, falling back past runs without one (needs `github-token` with `actions: read`).",
          type: ["string", "integer"],
          minLength: 1
        },
        branch: {
          description: "With `workflow`: use only runs on this branch. Default: the repository's default branch.",
          type: "string",
          minLength: 1
        },
        events: {
          description: "With `workflow`: use only runs started by these events. Default `[schedule, push, workflow_dispatch]` (never `pull_request` unless listed).",
          type: "array",
          minItems: 1,
          uniqueItems: true,
          items: {
            description: "A workflow event name (`push`, `schedule`, \u2026).",
            type: "string",
            pattern: "^[a-z_]+$",
            "x-message": "is not a workflow event name (`push`, `schedule`, `workflow_dispatch`, \u2026)"
          }
        },
        repository: {
          description: "`owner/name` of the repository holding the run. Default: this repository.",
          type: "string",
          pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
          "x-message": "must be `owner/name`"
        },
        "allow-forks": {
          description: "Accept a run whose head repository is not this repository (a fork's pull request). Default false: such a run is never used.",
          type: "boolean"
        }
      },
      allOf: [
        {
          not: {
            anyOf: [
              { required: ["run-id", "workflow"] },
              { required: ["run-id", "artifact-id"] },
              { required: ["workflow", "artifact-id"] }
            ]
          },
          "x-message": "takes one of `run-id`, `artifact-id` or `workflow`, not several"
        },
        {
          dependentRequired: { branch: ["workflow"], events: ["workflow"] },
          "x-message": "takes `branch` and `events` only with `workflow` (they choose among its runs)"
        }
      ]
    },
    fromRegistry: {
      description: "Pull the backup from an OCI registry first, by tag or digest; every blob is checked against its digest before use.",
      type: "object",
      additionalProperties: false,
      required: ["reference"],
      properties: {
        reference: {
          description: "`ghcr.io/acme/license-backups:nightly` or `\u2026@sha256:<digest>`.",
          type: "string",
          pattern: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$",
          "x-message": "must be a registry reference with a tag or digest, such as ghcr.io/acme/license-backups:nightly"
        },
        username: { $ref: "#/$defs/registryUsername" },
        "token-env": {
          description: "Name of the environment variable holding the registry token or password (for GHCR, set it from `secrets.GITHUB_TOKEN`). Without it the registry is used anonymously.",
          $ref: "#/$defs/envName"
        },
        "token-realms": { $ref: "#/$defs/tokenRealms" }
      }
    },
    verify: {
      description: "The restore drill: check a backup as a restore would (signature and age, digests, decryption, names, every license's signature) without writing anything or calling the service. Needs `path`, `from-artifact` or `from-registry`.",
      type: "object",
      additionalProperties: false,
      allOf: [
        {
          anyOf: [{ required: ["path"] }, { required: ["from-artifact"] }, { required: ["from-registry"] }],
          "x-message": "needs `path` (a backup folder), `from-artifact` (an artifact holding one) or `from-registry` (a registry reference)"
        },
        {
          not: { required: ["from-artifact", "from-registry"] },
          "x-message": "takes `from-artifact` or `from-registry`, not both"
        }
      ],
      properties: {
        path: {
          description: "The backup folder to verify. Not used with `from-artifact` or `from-registry`.",
          type: "string",
          minLength: 1
        },
        "from-artifact": { $ref: "#/$defs/fromArtifact" },
        "from-registry": { $ref: "#/$defs/fromRegistry" },
        "identity-env": {
          description: "Name of the environment variable holding the age identity for an encrypted backup.",
          $ref: "#/$defs/envName"
        },
        "max-age": { $ref: "#/$defs/maxAge" }
      }
    },
    include: {
      description: "Only the licenses named here: each entry is a license ID (`jti`), a key ID, or a path pattern (a glob relative to the store, e.g. `games/**/*.jwt`).",
      type: "array",
      minItems: 1,
      items: { type: "string", minLength: 1 }
    },
    renew: {
      description: "Renew this machine's lease copies in the store (protocol v1.2): each copy bound to its machine key that carries a lease is re-issued by the license service with a new lease and written back; run it on a schedule on a long-lived machine.",
      type: "object",
      additionalProperties: false,
      properties: {
        store: { $ref: "#/$defs/store" },
        pattern: { $ref: "#/$defs/pattern" },
        include: { $ref: "#/$defs/include" },
        lease: { $ref: "#/$defs/lease" },
        "machine-key-env": {
          description: "Name of the environment variable holding this machine's key (an Ed25519 private key as a JWK, or an OpenSSH Ed25519 private key without passphrase), when the copies were restored with one.",
          $ref: "#/$defs/envName"
        },
        "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
      }
    },
    release: {
      description: "Give the store's licenses back to the license service (protocol v1.1), then remove the files from the store. From protocol v1.2 a release stops the copies' renewals, and each slot comes back when the copy's lease ends (at once under a policy that trusts releases).",
      type: "object",
      additionalProperties: false,
      properties: {
        store: { $ref: "#/$defs/store" },
        pattern: { $ref: "#/$defs/pattern" },
        include: { $ref: "#/$defs/include" },
        "machine-key-env": {
          description: "Name of the environment variable holding this machine's key (an Ed25519 private key as a JWK, or an OpenSSH Ed25519 private key without passphrase). With it, re-provisioned runners are the same machine and take no new slot; the key is never written to disk and the store needs no `individualize`.",
          $ref: "#/$defs/envName"
        },
        "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
      }
    }
  }
};
var schema32 = {
  description: "The license store: a directory whose files matching `pattern` are licenses.",
  type: "string",
  minLength: 1
};
var schema33 = {
  description: "Glob of license files, relative to the store: `**` (any folders, a whole segment), `*` and `?`; other glob syntax is refused. Default `**/*.jwt`.",
  type: "string",
  minLength: 1
};
var schema34 = {
  description: "The name of an environment variable of your own (not one of the runner's: ACTIONS_*, GITHUB_*, RUNNER_*).",
  type: "string",
  allOf: [
    {
      type: "string",
      pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
      "x-message": "must be the name of an environment variable (letters, digits and _), not its value"
    },
    {
      type: "string",
      not: { pattern: "^([Aa][Cc][Tt][Ii][Oo][Nn][Ss]|[Gg][Ii][Tt][Hh][Uu][Bb]|[Rr][Uu][Nn][Nn][Ee][Rr])_" },
      "x-message": "must not name one of the runner's own variables (ACTIONS_*, GITHUB_*, RUNNER_*, in any case): the action would hand the runner's credentials to the service. Name a variable of your own and set it from a secret in the step's `env:`"
    }
  ]
};
var schema35 = {
  description: "Refuse a backup older than this (`7d`, `36h`), counted from its manifest's `created`: a rollback to an old backup is BACKUP_UNTRUSTED.",
  type: "string",
  pattern: "^[1-9][0-9]{0,5}[dh]$",
  "x-message": "must be a number of days or hours, like `7d` or `36h`"
};
var func1 = Object.prototype.hasOwnProperty;
var func2 = function ucs2length(str) {
  const len = str.length;
  let length = 0;
  let pos = 0;
  let value;
  while (pos < len) {
    length++;
    value = str.charCodeAt(pos++);
    if (value >= 55296 && value <= 56319 && pos < len) {
      value = str.charCodeAt(pos);
      if ((value & 64512) === 56320) pos++;
    }
  }
  return length;
};
var pattern4 = new RegExp("^https?://", "u");
var pattern6 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
var pattern7 = new RegExp(
  "^([Aa][Cc][Tt][Ii][Oo][Nn][Ss]|[Gg][Ii][Tt][Hh][Uu][Bb]|[Rr][Uu][Nn][Nn][Ee][Rr])_",
  "u"
);
var pattern8 = new RegExp("^[1-9][0-9]{0,5}[dh]$", "u");
var schema36 = {
  description: "Back up the store into a backup folder, and optionally upload it as an artifact.",
  type: "object",
  additionalProperties: false,
  properties: {
    path: { description: "The backup folder to write (BackupPath).", type: "string", minLength: 1 },
    "path-env": {
      description: "Name of the environment variable holding the backup folder's path, instead of `path`: for a path typed into a `workflow_dispatch` menu, passed through the step's `env:` and never written into this file.",
      $ref: "#/$defs/envName"
    },
    store: { $ref: "#/$defs/store" },
    pattern: { $ref: "#/$defs/pattern" },
    overwrite: {
      description: "Replace an existing backup at `path` atomically. When false (the default), an existing backup fails the step with BACKUP_EXISTS.",
      type: "boolean"
    },
    "on-restricted": {
      description: "What to do with licenses whose owner does not allow backup: `ignore` (count only), `info` (notice), `warn` (warning, the default) or `error` (complete the backup, then fail the step listing every key ID). The `on-restricted` input overrides it.",
      enum: ["ignore", "info", "warn", "error"]
    },
    "encrypt-to": {
      description: "age X25519 recipients (`age1\u2026`): the backup's pack is encrypted to them. Recommended for artifacts.",
      type: "array",
      minItems: 1,
      items: {
        description: "An age X25519 recipient, as printed by `age-keygen -y`.",
        type: "string",
        pattern: "^age1[02-9ac-hj-np-z]{58}$",
        "x-message": "is not an age X25519 recipient (`age1` followed by 58 bech32 characters, as printed by `age-keygen -y`)"
      }
    },
    compression: {
      description: "How the pack is compressed before it is encrypted: `gzip` (the default; `tar -tzf` opens it) or `none` (a plain tar).",
      enum: ["gzip", "none"]
    },
    sign: {
      description: "Sign the backup's manifest (`manifest.json.sig`, an SSH signature in the `license-backup` namespace) with an OpenSSH Ed25519 private key without a passphrase.",
      type: "object",
      additionalProperties: false,
      required: ["key-env"],
      properties: {
        "key-env": {
          description: "Name of the environment variable holding the private key file's text (`-----BEGIN OPENSSH PRIVATE KEY-----\u2026`). The key never goes in this file.",
          $ref: "#/$defs/envName"
        }
      }
    },
    format: {
      description: "The backup format to write: `license-backup/v2` (the default: compressed, with the index inside the pack, signable) or `license-backup/v1` for restore machines still on a release older than v2.",
      enum: ["license-backup/v2", "license-backup/v1"]
    },
    artifact: {
      description: "Upload the backup folder as a workflow artifact.",
      type: "object",
      additionalProperties: false,
      properties: {
        name: {
          description: "Artifact name. Default `license-backup-<job>-<attempt>`, unique per job and attempt.",
          type: "string",
          minLength: 1,
          pattern: '^[^"\\\\/:<>|*?\\r\\n]+$',
          "x-message": 'is not a valid artifact name: it cannot contain / \\ " : < > | * ? or line breaks'
        },
        "retention-days": {
          description: "Days before the artifact expires: 1 to 400, capped by the repository's setting (at most 90 in a public repository, 400 in a private one) with a warning. Default: the repository's setting.",
          type: "integer",
          minimum: 1,
          maximum: 400
        },
        "compression-level": {
          description: "Zip compression level, 0 (none) to 9, for a pack neither gzipped nor encrypted (`compression: none`, or format v1 unencrypted). Default 6; a gzipped or encrypted pack is stored at level 0, since it does not compress again.",
          type: "integer",
          minimum: 0,
          maximum: 9
        },
        overwrite: {
          description: "Delete an artifact of the same name in this run before uploading. Default false: a name in use is an error.",
          type: "boolean"
        }
      }
    },
    registry: { $ref: "#/$defs/registry" },
    "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
  },
  allOf: [
    {
      anyOf: [{ required: ["path"] }, { required: ["path-env"] }],
      "x-message": "needs `path` (the backup folder) or `path-env` (the variable holding it)"
    },
    { not: { required: ["path", "path-env"] }, "x-message": "takes `path` or `path-env`, not both" }
  ]
};
var schema45 = {
  description: "When a restore of this store was interrupted and its journal (`.license-backup/restore/journal.json`) cannot be used (empty, cut short, of another version or store): roll that restore back (the licenses it had not yet moved in are dropped) and keep the journal aside as `journal.json.damaged-<time>`, instead of failing with STORE_INVALID. Default false. A readable journal is always finished.",
  type: "boolean"
};
var pattern11 = new RegExp("^age1[02-9ac-hj-np-z]{58}$", "u");
var pattern14 = new RegExp('^[^"\\\\/:<>|*?\\r\\n]+$', "u");
var schema41 = {
  description: "Push the backup folder to an OCI registry as one artifact (artifactType application/vnd.license-backup.backup.v2), tagged with the UTC time (YYYYMMDDTHHMMSSZ) and `tags`.",
  type: "object",
  additionalProperties: false,
  required: ["repository"],
  properties: {
    repository: {
      description: "The repository, with its registry host: `ghcr.io/acme/license-backups`. HTTPS only; `http://` is allowed for 127.0.0.1 and localhost.",
      type: "string",
      minLength: 3,
      pattern: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+$",
      "x-message": "must be a registry repository such as ghcr.io/acme/license-backups (host, then a lower-case path; no tag)"
    },
    tags: {
      description: "Tags moved to the new backup once it is completely pushed (e.g. `nightly`).",
      type: "array",
      uniqueItems: true,
      items: {
        description: "A tag, e.g. `nightly`.",
        type: "string",
        pattern: "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$",
        "x-message": "is not a tag: up to 128 letters, digits, _ . and -, not starting with . or -"
      }
    },
    username: { $ref: "#/$defs/registryUsername" },
    "token-env": {
      description: "Name of the environment variable holding the registry token or password (for GHCR, set it from `secrets.GITHUB_TOKEN`). Without it the registry is used anonymously.",
      $ref: "#/$defs/envName"
    },
    "token-realms": { $ref: "#/$defs/tokenRealms" },
    keep: {
      description: "Retention, restic `forget` style: after the push, delete this tool's timestamp-tagged backups in the repository that no rule keeps. Never touches other manifests or anything another tag names.",
      type: "object",
      additionalProperties: false,
      anyOf: [
        { required: ["last"] },
        { required: ["daily"] },
        { required: ["weekly"] },
        { required: ["monthly"] }
      ],
      "x-message": "needs at least one rule: `last`, `daily`, `weekly` or `monthly`",
      properties: {
        last: { description: "Keep the N newest backups.", type: "integer", minimum: 1 },
        daily: {
          description: "Keep the newest backup of each of the last N days that have one (UTC).",
          type: "integer",
          minimum: 1
        },
        weekly: {
          description: "Keep the newest backup of each of the last N ISO weeks that have one.",
          type: "integer",
          minimum: 1
        },
        monthly: {
          description: "Keep the newest backup of each of the last N months that have one.",
          type: "integer",
          minimum: 1
        },
        "dry-run": { description: "List what would be deleted, and delete nothing.", type: "boolean" }
      }
    }
  }
};
var schema42 = {
  description: "User name for the registry's Basic auth and token server. Default: $GITHUB_ACTOR, else `license-backup` (GHCR takes any name with a GITHUB_TOKEN; Docker Hub needs the real one). Used only with `token-env`.",
  type: "string",
  minLength: 1,
  maxLength: 256
};
var schema44 = {
  description: "Token servers on another origin than the registry that may receive its credentials (`https://auth.example.com`). The registry's own origin, and ghcr.io for GHCR and auth.docker.io for Docker Hub, need no entry; any other token server is asked for a token without the credentials.",
  type: "array",
  uniqueItems: true,
  items: {
    description: "An HTTPS origin, `https://host[:port]`, no path (`http://` only for 127.0.0.1 and localhost).",
    type: "string",
    pattern: "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$",
    "x-message": "is not an HTTPS origin such as https://auth.example.com (no path)"
  }
};
var pattern15 = new RegExp("^(https?://)?[^/@\\s]+/[a-z0-9._/-]+$", "u");
var pattern16 = new RegExp("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", "u");
var pattern19 = new RegExp(
  "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$",
  "u"
);
function validate22(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate22.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.repository === void 0) {
      const err0 = {
        instancePath,
        schemaPath: "#/required",
        keyword: "required",
        params: { missingProperty: "repository" },
        message: "must have required property 'repository'",
        schema: schema41.required,
        parentSchema: schema41,
        data
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
    for (const key0 in data) {
      if (!(key0 === "repository" || key0 === "tags" || key0 === "username" || key0 === "token-env" || key0 === "token-realms" || key0 === "keep")) {
        const err1 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema41,
          data
        };
        if (vErrors === null) {
          vErrors = [err1];
        } else {
          vErrors.push(err1);
        }
        errors++;
      }
    }
    if (data.repository !== void 0) {
      let data0 = data.repository;
      if (typeof data0 === "string") {
        if (func2(data0) < 3) {
          const err2 = {
            instancePath: instancePath + "/repository",
            schemaPath: "#/properties/repository/minLength",
            keyword: "minLength",
            params: { limit: 3 },
            message: "must NOT have fewer than 3 characters",
            schema: 3,
            parentSchema: schema41.properties.repository,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err2];
          } else {
            vErrors.push(err2);
          }
          errors++;
        }
        if (!pattern15.test(data0)) {
          const err3 = {
            instancePath: instancePath + "/repository",
            schemaPath: "#/properties/repository/pattern",
            keyword: "pattern",
            params: { pattern: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+$" },
            message: 'must match pattern "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+$"',
            schema: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+$",
            parentSchema: schema41.properties.repository,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err3];
          } else {
            vErrors.push(err3);
          }
          errors++;
        }
      } else {
        const err4 = {
          instancePath: instancePath + "/repository",
          schemaPath: "#/properties/repository/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema41.properties.repository.type,
          parentSchema: schema41.properties.repository,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err4];
        } else {
          vErrors.push(err4);
        }
        errors++;
      }
    }
    if (data.tags !== void 0) {
      let data1 = data.tags;
      if (Array.isArray(data1)) {
        const len0 = data1.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data2 = data1[i0];
          if (typeof data2 === "string") {
            if (!pattern16.test(data2)) {
              const err5 = {
                instancePath: instancePath + "/tags/" + i0,
                schemaPath: "#/properties/tags/items/pattern",
                keyword: "pattern",
                params: { pattern: "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$" },
                message: 'must match pattern "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"',
                schema: "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$",
                parentSchema: schema41.properties.tags.items,
                data: data2
              };
              if (vErrors === null) {
                vErrors = [err5];
              } else {
                vErrors.push(err5);
              }
              errors++;
            }
          } else {
            const err6 = {
              instancePath: instancePath + "/tags/" + i0,
              schemaPath: "#/properties/tags/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema41.properties.tags.items.type,
              parentSchema: schema41.properties.tags.items,
              data: data2
            };
            if (vErrors === null) {
              vErrors = [err6];
            } else {
              vErrors.push(err6);
            }
            errors++;
          }
        }
        let i1 = data1.length;
        let j0;
        if (i1 > 1) {
          const indices0 = {};
          for (; i1--; ) {
            let item0 = data1[i1];
            if (typeof item0 !== "string") {
              continue;
            }
            if (typeof indices0[item0] == "number") {
              j0 = indices0[item0];
              const err7 = {
                instancePath: instancePath + "/tags",
                schemaPath: "#/properties/tags/uniqueItems",
                keyword: "uniqueItems",
                params: { i: i1, j: j0 },
                message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)",
                schema: true,
                parentSchema: schema41.properties.tags,
                data: data1
              };
              if (vErrors === null) {
                vErrors = [err7];
              } else {
                vErrors.push(err7);
              }
              errors++;
              break;
            }
            indices0[item0] = i1;
          }
        }
      } else {
        const err8 = {
          instancePath: instancePath + "/tags",
          schemaPath: "#/properties/tags/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema41.properties.tags.type,
          parentSchema: schema41.properties.tags,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err8];
        } else {
          vErrors.push(err8);
        }
        errors++;
      }
    }
    if (data.username !== void 0) {
      let data3 = data.username;
      if (typeof data3 === "string") {
        if (func2(data3) > 256) {
          const err9 = {
            instancePath: instancePath + "/username",
            schemaPath: "#/$defs/registryUsername/maxLength",
            keyword: "maxLength",
            params: { limit: 256 },
            message: "must NOT have more than 256 characters",
            schema: 256,
            parentSchema: schema42,
            data: data3
          };
          if (vErrors === null) {
            vErrors = [err9];
          } else {
            vErrors.push(err9);
          }
          errors++;
        }
        if (func2(data3) < 1) {
          const err10 = {
            instancePath: instancePath + "/username",
            schemaPath: "#/$defs/registryUsername/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema42,
            data: data3
          };
          if (vErrors === null) {
            vErrors = [err10];
          } else {
            vErrors.push(err10);
          }
          errors++;
        }
      } else {
        const err11 = {
          instancePath: instancePath + "/username",
          schemaPath: "#/$defs/registryUsername/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema42.type,
          parentSchema: schema42,
          data: data3
        };
        if (vErrors === null) {
          vErrors = [err11];
        } else {
          vErrors.push(err11);
        }
        errors++;
      }
    }
    if (data["token-env"] !== void 0) {
      let data4 = data["token-env"];
      if (typeof data4 !== "string") {
        const err12 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err12];
        } else {
          vErrors.push(err12);
        }
        errors++;
      }
      if (typeof data4 === "string") {
        if (!pattern6.test(data4)) {
          const err13 = {
            instancePath: instancePath + "/token-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data4
          };
          if (vErrors === null) {
            vErrors = [err13];
          } else {
            vErrors.push(err13);
          }
          errors++;
        }
      } else {
        const err14 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err14];
        } else {
          vErrors.push(err14);
        }
        errors++;
      }
      if (typeof data4 !== "string") {
        const err15 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err15];
        } else {
          vErrors.push(err15);
        }
        errors++;
      }
      const _errs21 = errors;
      const _errs22 = errors;
      if (typeof data4 === "string") {
        if (!pattern7.test(data4)) {
          const err16 = {};
          if (vErrors === null) {
            vErrors = [err16];
          } else {
            vErrors.push(err16);
          }
          errors++;
        }
      }
      var valid7 = _errs22 === errors;
      if (valid7) {
        const err17 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err17];
        } else {
          vErrors.push(err17);
        }
        errors++;
      } else {
        errors = _errs21;
        if (vErrors !== null) {
          if (_errs21) {
            vErrors.length = _errs21;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data["token-realms"] !== void 0) {
      let data5 = data["token-realms"];
      if (Array.isArray(data5)) {
        const len1 = data5.length;
        for (let i2 = 0; i2 < len1; i2++) {
          let data6 = data5[i2];
          if (typeof data6 === "string") {
            if (!pattern19.test(data6)) {
              const err18 = {
                instancePath: instancePath + "/token-realms/" + i2,
                schemaPath: "#/$defs/tokenRealms/items/pattern",
                keyword: "pattern",
                params: {
                  pattern: "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$"
                },
                message: 'must match pattern "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$"',
                schema: "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$",
                parentSchema: schema44.items,
                data: data6
              };
              if (vErrors === null) {
                vErrors = [err18];
              } else {
                vErrors.push(err18);
              }
              errors++;
            }
          } else {
            const err19 = {
              instancePath: instancePath + "/token-realms/" + i2,
              schemaPath: "#/$defs/tokenRealms/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema44.items.type,
              parentSchema: schema44.items,
              data: data6
            };
            if (vErrors === null) {
              vErrors = [err19];
            } else {
              vErrors.push(err19);
            }
            errors++;
          }
        }
        let i3 = data5.length;
        let j1;
        if (i3 > 1) {
          const indices1 = {};
          for (; i3--; ) {
            let item1 = data5[i3];
            if (typeof item1 !== "string") {
              continue;
            }
            if (typeof indices1[item1] == "number") {
              j1 = indices1[item1];
              const err20 = {
                instancePath: instancePath + "/token-realms",
                schemaPath: "#/$defs/tokenRealms/uniqueItems",
                keyword: "uniqueItems",
                params: { i: i3, j: j1 },
                message: "must NOT have duplicate items (items ## " + j1 + " and " + i3 + " are identical)",
                schema: true,
                parentSchema: schema44,
                data: data5
              };
              if (vErrors === null) {
                vErrors = [err20];
              } else {
                vErrors.push(err20);
              }
              errors++;
              break;
            }
            indices1[item1] = i3;
          }
        }
      } else {
        const err21 = {
          instancePath: instancePath + "/token-realms",
          schemaPath: "#/$defs/tokenRealms/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema44.type,
          parentSchema: schema44,
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err21];
        } else {
          vErrors.push(err21);
        }
        errors++;
      }
    }
    if (data.keep !== void 0) {
      let data7 = data.keep;
      const _errs32 = errors;
      let valid12 = false;
      const _errs33 = errors;
      if (data7 && typeof data7 == "object" && !Array.isArray(data7)) {
        if (data7.last === void 0) {
          const err22 = {
            instancePath: instancePath + "/keep",
            schemaPath: "#/properties/keep/anyOf/0/required",
            keyword: "required",
            params: { missingProperty: "last" },
            message: "must have required property 'last'",
            schema: schema41.properties.keep.anyOf[0].required,
            parentSchema: schema41.properties.keep.anyOf[0],
            data: data7
          };
          if (vErrors === null) {
            vErrors = [err22];
          } else {
            vErrors.push(err22);
          }
          errors++;
        }
      }
      var _valid0 = _errs33 === errors;
      valid12 = valid12 || _valid0;
      const _errs34 = errors;
      if (data7 && typeof data7 == "object" && !Array.isArray(data7)) {
        if (data7.daily === void 0) {
          const err23 = {
            instancePath: instancePath + "/keep",
            schemaPath: "#/properties/keep/anyOf/1/required",
            keyword: "required",
            params: { missingProperty: "daily" },
            message: "must have required property 'daily'",
            schema: schema41.properties.keep.anyOf[1].required,
            parentSchema: schema41.properties.keep.anyOf[1],
            data: data7
          };
          if (vErrors === null) {
            vErrors = [err23];
          } else {
            vErrors.push(err23);
          }
          errors++;
        }
      }
      var _valid0 = _errs34 === errors;
      valid12 = valid12 || _valid0;
      const _errs35 = errors;
      if (data7 && typeof data7 == "object" && !Array.isArray(data7)) {
        if (data7.weekly === void 0) {
          const err24 = {
            instancePath: instancePath + "/keep",
            schemaPath: "#/properties/keep/anyOf/2/required",
            keyword: "required",
            params: { missingProperty: "weekly" },
            message: "must have required property 'weekly'",
            schema: schema41.properties.keep.anyOf[2].required,
            parentSchema: schema41.properties.keep.anyOf[2],
            data: data7
          };
          if (vErrors === null) {
            vErrors = [err24];
          } else {
            vErrors.push(err24);
          }
          errors++;
        }
      }
      var _valid0 = _errs35 === errors;
      valid12 = valid12 || _valid0;
      const _errs36 = errors;
      if (data7 && typeof data7 == "object" && !Array.isArray(data7)) {
        if (data7.monthly === void 0) {
          const err25 = {
            instancePath: instancePath + "/keep",
            schemaPath: "#/properties/keep/anyOf/3/required",
            keyword: "required",
            params: { missingProperty: "monthly" },
            message: "must have required property 'monthly'",
            schema: schema41.properties.keep.anyOf[3].required,
            parentSchema: schema41.properties.keep.anyOf[3],
            data: data7
          };
          if (vErrors === null) {
            vErrors = [err25];
          } else {
            vErrors.push(err25);
          }
          errors++;
        }
      }
      var _valid0 = _errs36 === errors;
      valid12 = valid12 || _valid0;
      if (!valid12) {
        const err26 = {
          instancePath: instancePath + "/keep",
          schemaPath: "#/properties/keep/anyOf",
          keyword: "anyOf",
          params: {},
          message: "must match a schema in anyOf",
          schema: schema41.properties.keep.anyOf,
          parentSchema: schema41.properties.keep,
          data: data7
        };
        if (vErrors === null) {
          vErrors = [err26];
        } else {
          vErrors.push(err26);
        }
        errors++;
      } else {
        errors = _errs32;
        if (vErrors !== null) {
          if (_errs32) {
            vErrors.length = _errs32;
          } else {
            vErrors = null;
          }
        }
      }
      if (data7 && typeof data7 == "object" && !Array.isArray(data7)) {
        for (const key1 in data7) {
          if (!(key1 === "last" || key1 === "daily" || key1 === "weekly" || key1 === "monthly" || key1 === "dry-run")) {
            const err27 = {
              instancePath: instancePath + "/keep",
              schemaPath: "#/properties/keep/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key1 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema41.properties.keep,
              data: data7
            };
            if (vErrors === null) {
              vErrors = [err27];
            } else {
              vErrors.push(err27);
            }
            errors++;
          }
        }
        if (data7.last !== void 0) {
          let data8 = data7.last;
          if (!(typeof data8 == "number" && !(data8 % 1) && !isNaN(data8) && isFinite(data8))) {
            const err28 = {
              instancePath: instancePath + "/keep/last",
              schemaPath: "#/properties/keep/properties/last/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema41.properties.keep.properties.last.type,
              parentSchema: schema41.properties.keep.properties.last,
              data: data8
            };
            if (vErrors === null) {
              vErrors = [err28];
            } else {
              vErrors.push(err28);
            }
            errors++;
          }
          if (typeof data8 == "number" && isFinite(data8)) {
            if (data8 < 1 || isNaN(data8)) {
              const err29 = {
                instancePath: instancePath + "/keep/last",
                schemaPath: "#/properties/keep/properties/last/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema41.properties.keep.properties.last,
                data: data8
              };
              if (vErrors === null) {
                vErrors = [err29];
              } else {
                vErrors.push(err29);
              }
              errors++;
            }
          }
        }
        if (data7.daily !== void 0) {
          let data9 = data7.daily;
          if (!(typeof data9 == "number" && !(data9 % 1) && !isNaN(data9) && isFinite(data9))) {
            const err30 = {
              instancePath: instancePath + "/keep/daily",
              schemaPath: "#/properties/keep/properties/daily/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema41.properties.keep.properties.daily.type,
              parentSchema: schema41.properties.keep.properties.daily,
              data: data9
            };
            if (vErrors === null) {
              vErrors = [err30];
            } else {
              vErrors.push(err30);
            }
            errors++;
          }
          if (typeof data9 == "number" && isFinite(data9)) {
            if (data9 < 1 || isNaN(data9)) {
              const err31 = {
                instancePath: instancePath + "/keep/daily",
                schemaPath: "#/properties/keep/properties/daily/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema41.properties.keep.properties.daily,
                data: data9
              };
              if (vErrors === null) {
                vErrors = [err31];
              } else {
                vErrors.push(err31);
              }
              errors++;
            }
          }
        }
        if (data7.weekly !== void 0) {
          let data10 = data7.weekly;
          if (!(typeof data10 == "number" && !(data10 % 1) && !isNaN(data10) && isFinite(data10))) {
            const err32 = {
              instancePath: instancePath + "/keep/weekly",
              schemaPath: "#/properties/keep/properties/weekly/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema41.properties.keep.properties.weekly.type,
              parentSchema: schema41.properties.keep.properties.weekly,
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err32];
            } else {
              vErrors.push(err32);
            }
            errors++;
          }
          if (typeof data10 == "number" && isFinite(data10)) {
            if (data10 < 1 || isNaN(data10)) {
              const err33 = {
                instancePath: instancePath + "/keep/weekly",
                schemaPath: "#/properties/keep/properties/weekly/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema41.properties.keep.properties.weekly,
                data: data10
              };
              if (vErrors === null) {
                vErrors = [err33];
              } else {
                vErrors.push(err33);
              }
              errors++;
            }
          }
        }
        if (data7.monthly !== void 0) {
          let data11 = data7.monthly;
          if (!(typeof data11 == "number" && !(data11 % 1) && !isNaN(data11) && isFinite(data11))) {
            const err34 = {
              instancePath: instancePath + "/keep/monthly",
              schemaPath: "#/properties/keep/properties/monthly/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema41.properties.keep.properties.monthly.type,
              parentSchema: schema41.properties.keep.properties.monthly,
              data: data11
            };
            if (vErrors === null) {
              vErrors = [err34];
            } else {
              vErrors.push(err34);
            }
            errors++;
          }
          if (typeof data11 == "number" && isFinite(data11)) {
            if (data11 < 1 || isNaN(data11)) {
              const err35 = {
                instancePath: instancePath + "/keep/monthly",
                schemaPath: "#/properties/keep/properties/monthly/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema41.properties.keep.properties.monthly,
                data: data11
              };
              if (vErrors === null) {
                vErrors = [err35];
              } else {
                vErrors.push(err35);
              }
              errors++;
            }
          }
        }
        if (data7["dry-run"] !== void 0) {
          let data12 = data7["dry-run"];
          if (typeof data12 !== "boolean") {
            const err36 = {
              instancePath: instancePath + "/keep/dry-run",
              schemaPath: "#/properties/keep/properties/dry-run/type",
              keyword: "type",
              params: { type: "boolean" },
              message: "must be boolean",
              schema: schema41.properties.keep.properties["dry-run"].type,
              parentSchema: schema41.properties.keep.properties["dry-run"],
              data: data12
            };
            if (vErrors === null) {
              vErrors = [err36];
            } else {
              vErrors.push(err36);
            }
            errors++;
          }
        }
      } else {
        const err37 = {
          instancePath: instancePath + "/keep",
          schemaPath: "#/properties/keep/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema41.properties.keep.type,
          parentSchema: schema41.properties.keep,
          data: data7
        };
        if (vErrors === null) {
          vErrors = [err37];
        } else {
          vErrors.push(err37);
        }
        errors++;
      }
    }
  } else {
    const err38 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema41.type,
      parentSchema: schema41,
      data
    };
    if (vErrors === null) {
      vErrors = [err38];
    } else {
      vErrors.push(err38);
    }
    errors++;
  }
  validate22.errors = vErrors;
  return errors === 0;
}
validate22.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
function validate21(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate21.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  const _errs2 = errors;
  let valid1 = false;
  const _errs3 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.path === void 0) {
      const err0 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/0/required",
        keyword: "required",
        params: { missingProperty: "path" },
        message: "must have required property 'path'",
        schema: schema36.allOf[0].anyOf[0].required,
        parentSchema: schema36.allOf[0].anyOf[0],
        data
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
  }
  var _valid0 = _errs3 === errors;
  valid1 = valid1 || _valid0;
  const _errs4 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data["path-env"] === void 0) {
      const err1 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/1/required",
        keyword: "required",
        params: { missingProperty: "path-env" },
        message: "must have required property 'path-env'",
        schema: schema36.allOf[0].anyOf[1].required,
        parentSchema: schema36.allOf[0].anyOf[1],
        data
      };
      if (vErrors === null) {
        vErrors = [err1];
      } else {
        vErrors.push(err1);
      }
      errors++;
    }
  }
  var _valid0 = _errs4 === errors;
  valid1 = valid1 || _valid0;
  if (!valid1) {
    const err2 = {
      instancePath,
      schemaPath: "#/allOf/0/anyOf",
      keyword: "anyOf",
      params: {},
      message: "must match a schema in anyOf",
      schema: schema36.allOf[0].anyOf,
      parentSchema: schema36.allOf[0],
      data
    };
    if (vErrors === null) {
      vErrors = [err2];
    } else {
      vErrors.push(err2);
    }
    errors++;
  } else {
    errors = _errs2;
    if (vErrors !== null) {
      if (_errs2) {
        vErrors.length = _errs2;
      } else {
        vErrors = null;
      }
    }
  }
  const _errs7 = errors;
  const _errs8 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    let missing0;
    if (data.path === void 0 && (missing0 = "path") || data["path-env"] === void 0 && (missing0 = "path-env")) {
      const err3 = {};
      if (vErrors === null) {
        vErrors = [err3];
      } else {
        vErrors.push(err3);
      }
      errors++;
    }
  }
  var valid2 = _errs8 === errors;
  if (valid2) {
    const err4 = {
      instancePath,
      schemaPath: "#/allOf/1/not",
      keyword: "not",
      params: {},
      message: "must NOT be valid",
      schema: schema36.allOf[1].not,
      parentSchema: schema36.allOf[1],
      data
    };
    if (vErrors === null) {
      vErrors = [err4];
    } else {
      vErrors.push(err4);
    }
    errors++;
  } else {
    errors = _errs7;
    if (vErrors !== null) {
      if (_errs7) {
        vErrors.length = _errs7;
      } else {
        vErrors = null;
      }
    }
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!func1.call(schema36.properties, key0)) {
        const err5 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema36,
          data
        };
        if (vErrors === null) {
          vErrors = [err5];
        } else {
          vErrors.push(err5);
        }
        errors++;
      }
    }
    if (data.path !== void 0) {
      let data0 = data.path;
      if (typeof data0 === "string") {
        if (func2(data0) < 1) {
          const err6 = {
            instancePath: instancePath + "/path",
            schemaPath: "#/properties/path/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema36.properties.path,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err6];
          } else {
            vErrors.push(err6);
          }
          errors++;
        }
      } else {
        const err7 = {
          instancePath: instancePath + "/path",
          schemaPath: "#/properties/path/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema36.properties.path.type,
          parentSchema: schema36.properties.path,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err7];
        } else {
          vErrors.push(err7);
        }
        errors++;
      }
    }
    if (data["path-env"] !== void 0) {
      let data1 = data["path-env"];
      if (typeof data1 !== "string") {
        const err8 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err8];
        } else {
          vErrors.push(err8);
        }
        errors++;
      }
      if (typeof data1 === "string") {
        if (!pattern6.test(data1)) {
          const err9 = {
            instancePath: instancePath + "/path-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err9];
          } else {
            vErrors.push(err9);
          }
          errors++;
        }
      } else {
        const err10 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err10];
        } else {
          vErrors.push(err10);
        }
        errors++;
      }
      if (typeof data1 !== "string") {
        const err11 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err11];
        } else {
          vErrors.push(err11);
        }
        errors++;
      }
      const _errs21 = errors;
      const _errs22 = errors;
      if (typeof data1 === "string") {
        if (!pattern7.test(data1)) {
          const err12 = {};
          if (vErrors === null) {
            vErrors = [err12];
          } else {
            vErrors.push(err12);
          }
          errors++;
        }
      }
      var valid6 = _errs22 === errors;
      if (valid6) {
        const err13 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err13];
        } else {
          vErrors.push(err13);
        }
        errors++;
      } else {
        errors = _errs21;
        if (vErrors !== null) {
          if (_errs21) {
            vErrors.length = _errs21;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data.store !== void 0) {
      let data2 = data.store;
      if (typeof data2 === "string") {
        if (func2(data2) < 1) {
          const err14 = {
            instancePath: instancePath + "/store",
            schemaPath: "#/$defs/store/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema32,
            data: data2
          };
          if (vErrors === null) {
            vErrors = [err14];
          } else {
            vErrors.push(err14);
          }
          errors++;
        }
      } else {
        const err15 = {
          instancePath: instancePath + "/store",
          schemaPath: "#/$defs/store/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema32.type,
          parentSchema: schema32,
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err15];
        } else {
          vErrors.push(err15);
        }
        errors++;
      }
    }
    if (data.pattern !== void 0) {
      let data3 = data.pattern;
      if (typeof data3 === "string") {
        if (func2(data3) < 1) {
          const err16 = {
            instancePath: instancePath + "/pattern",
            schemaPath: "#/$defs/pattern/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema33,
            data: data3
          };
          if (vErrors === null) {
            vErrors = [err16];
          } else {
            vErrors.push(err16);
          }
          errors++;
        }
      } else {
        const err17 = {
          instancePath: instancePath + "/pattern",
          schemaPath: "#/$defs/pattern/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema33.type,
          parentSchema: schema33,
          data: data3
        };
        if (vErrors === null) {
          vErrors = [err17];
        } else {
          vErrors.push(err17);
        }
        errors++;
      }
    }
    if (data.overwrite !== void 0) {
      let data4 = data.overwrite;
      if (typeof data4 !== "boolean") {
        const err18 = {
          instancePath: instancePath + "/overwrite",
          schemaPath: "#/properties/overwrite/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema36.properties.overwrite.type,
          parentSchema: schema36.properties.overwrite,
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err18];
        } else {
          vErrors.push(err18);
        }
        errors++;
      }
    }
    if (data["on-restricted"] !== void 0) {
      let data5 = data["on-restricted"];
      if (!(data5 === "ignore" || data5 === "info" || data5 === "warn" || data5 === "error")) {
        const err19 = {
          instancePath: instancePath + "/on-restricted",
          schemaPath: "#/properties/on-restricted/enum",
          keyword: "enum",
          params: { allowedValues: schema36.properties["on-restricted"].enum },
          message: "must be equal to one of the allowed values",
          schema: schema36.properties["on-restricted"].enum,
          parentSchema: schema36.properties["on-restricted"],
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err19];
        } else {
          vErrors.push(err19);
        }
        errors++;
      }
    }
    if (data["encrypt-to"] !== void 0) {
      let data6 = data["encrypt-to"];
      if (Array.isArray(data6)) {
        if (data6.length < 1) {
          const err20 = {
            instancePath: instancePath + "/encrypt-to",
            schemaPath: "#/properties/encrypt-to/minItems",
            keyword: "minItems",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 items",
            schema: 1,
            parentSchema: schema36.properties["encrypt-to"],
            data: data6
          };
          if (vErrors === null) {
            vErrors = [err20];
          } else {
            vErrors.push(err20);
          }
          errors++;
        }
        const len0 = data6.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data7 = data6[i0];
          if (typeof data7 === "string") {
            if (!pattern11.test(data7)) {
              const err21 = {
                instancePath: instancePath + "/encrypt-to/" + i0,
                schemaPath: "#/properties/encrypt-to/items/pattern",
                keyword: "pattern",
                params: { pattern: "^age1[02-9ac-hj-np-z]{58}$" },
                message: 'must match pattern "^age1[02-9ac-hj-np-z]{58}$"',
                schema: "^age1[02-9ac-hj-np-z]{58}$",
                parentSchema: schema36.properties["encrypt-to"].items,
                data: data7
              };
              if (vErrors === null) {
                vErrors = [err21];
              } else {
                vErrors.push(err21);
              }
              errors++;
            }
          } else {
            const err22 = {
              instancePath: instancePath + "/encrypt-to/" + i0,
              schemaPath: "#/properties/encrypt-to/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema36.properties["encrypt-to"].items.type,
              parentSchema: schema36.properties["encrypt-to"].items,
              data: data7
            };
            if (vErrors === null) {
              vErrors = [err22];
            } else {
              vErrors.push(err22);
            }
            errors++;
          }
        }
      } else {
        const err23 = {
          instancePath: instancePath + "/encrypt-to",
          schemaPath: "#/properties/encrypt-to/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema36.properties["encrypt-to"].type,
          parentSchema: schema36.properties["encrypt-to"],
          data: data6
        };
        if (vErrors === null) {
          vErrors = [err23];
        } else {
          vErrors.push(err23);
        }
        errors++;
      }
    }
    if (data.compression !== void 0) {
      let data8 = data.compression;
      if (!(data8 === "gzip" || data8 === "none")) {
        const err24 = {
          instancePath: instancePath + "/compression",
          schemaPath: "#/properties/compression/enum",
          keyword: "enum",
          params: { allowedValues: schema36.properties.compression.enum },
          message: "must be equal to one of the allowed values",
          schema: schema36.properties.compression.enum,
          parentSchema: schema36.properties.compression,
          data: data8
        };
        if (vErrors === null) {
          vErrors = [err24];
        } else {
          vErrors.push(err24);
        }
        errors++;
      }
    }
    if (data.sign !== void 0) {
      let data9 = data.sign;
      if (data9 && typeof data9 == "object" && !Array.isArray(data9)) {
        if (data9["key-env"] === void 0) {
          const err25 = {
            instancePath: instancePath + "/sign",
            schemaPath: "#/properties/sign/required",
            keyword: "required",
            params: { missingProperty: "key-env" },
            message: "must have required property 'key-env'",
            schema: schema36.properties.sign.required,
            parentSchema: schema36.properties.sign,
            data: data9
          };
          if (vErrors === null) {
            vErrors = [err25];
          } else {
            vErrors.push(err25);
          }
          errors++;
        }
        for (const key1 in data9) {
          if (!(key1 === "key-env")) {
            const err26 = {
              instancePath: instancePath + "/sign",
              schemaPath: "#/properties/sign/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key1 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema36.properties.sign,
              data: data9
            };
            if (vErrors === null) {
              vErrors = [err26];
            } else {
              vErrors.push(err26);
            }
            errors++;
          }
        }
        if (data9["key-env"] !== void 0) {
          let data10 = data9["key-env"];
          if (typeof data10 !== "string") {
            const err27 = {
              instancePath: instancePath + "/sign/key-env",
              schemaPath: "#/$defs/envName/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema34.type,
              parentSchema: schema34,
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err27];
            } else {
              vErrors.push(err27);
            }
            errors++;
          }
          if (typeof data10 === "string") {
            if (!pattern6.test(data10)) {
              const err28 = {
                instancePath: instancePath + "/sign/key-env",
                schemaPath: "#/$defs/envName/allOf/0/pattern",
                keyword: "pattern",
                params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
                message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
                schema: "^[A-Za-z_][A-Za-z0-9_]*$",
                parentSchema: schema34.allOf[0],
                data: data10
              };
              if (vErrors === null) {
                vErrors = [err28];
              } else {
                vErrors.push(err28);
              }
              errors++;
            }
          } else {
            const err29 = {
              instancePath: instancePath + "/sign/key-env",
              schemaPath: "#/$defs/envName/allOf/0/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema34.allOf[0].type,
              parentSchema: schema34.allOf[0],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err29];
            } else {
              vErrors.push(err29);
            }
            errors++;
          }
          if (typeof data10 !== "string") {
            const err30 = {
              instancePath: instancePath + "/sign/key-env",
              schemaPath: "#/$defs/envName/allOf/1/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema34.allOf[1].type,
              parentSchema: schema34.allOf[1],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err30];
            } else {
              vErrors.push(err30);
            }
            errors++;
          }
          const _errs50 = errors;
          const _errs51 = errors;
          if (typeof data10 === "string") {
            if (!pattern7.test(data10)) {
              const err31 = {};
              if (vErrors === null) {
                vErrors = [err31];
              } else {
                vErrors.push(err31);
              }
              errors++;
            }
          }
          var valid14 = _errs51 === errors;
          if (valid14) {
            const err32 = {
              instancePath: instancePath + "/sign/key-env",
              schemaPath: "#/$defs/envName/allOf/1/not",
              keyword: "not",
              params: {},
              message: "must NOT be valid",
              schema: schema34.allOf[1].not,
              parentSchema: schema34.allOf[1],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err32];
            } else {
              vErrors.push(err32);
            }
            errors++;
          } else {
            errors = _errs50;
            if (vErrors !== null) {
              if (_errs50) {
                vErrors.length = _errs50;
              } else {
                vErrors = null;
              }
            }
          }
        }
      } else {
        const err33 = {
          instancePath: instancePath + "/sign",
          schemaPath: "#/properties/sign/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema36.properties.sign.type,
          parentSchema: schema36.properties.sign,
          data: data9
        };
        if (vErrors === null) {
          vErrors = [err33];
        } else {
          vErrors.push(err33);
        }
        errors++;
      }
    }
    if (data.format !== void 0) {
      let data11 = data.format;
      if (!(data11 === "license-backup/v2" || data11 === "license-backup/v1")) {
        const err34 = {
          instancePath: instancePath + "/format",
          schemaPath: "#/properties/format/enum",
          keyword: "enum",
          params: { allowedValues: schema36.properties.format.enum },
          message: "must be equal to one of the allowed values",
          schema: schema36.properties.format.enum,
          parentSchema: schema36.properties.format,
          data: data11
        };
        if (vErrors === null) {
          vErrors = [err34];
        } else {
          vErrors.push(err34);
        }
        errors++;
      }
    }
    if (data.artifact !== void 0) {
      let data12 = data.artifact;
      if (data12 && typeof data12 == "object" && !Array.isArray(data12)) {
        for (const key2 in data12) {
          if (!(key2 === "name" || key2 === "retention-days" || key2 === "compression-level" || key2 === "overwrite")) {
            const err35 = {
              instancePath: instancePath + "/artifact",
              schemaPath: "#/properties/artifact/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key2 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema36.properties.artifact,
              data: data12
            };
            if (vErrors === null) {
              vErrors = [err35];
            } else {
              vErrors.push(err35);
            }
            errors++;
          }
        }
        if (data12.name !== void 0) {
          let data13 = data12.name;
          if (typeof data13 === "string") {
            if (func2(data13) < 1) {
              const err36 = {
                instancePath: instancePath + "/artifact/name",
                schemaPath: "#/properties/artifact/properties/name/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema36.properties.artifact.properties.name,
                data: data13
              };
              if (vErrors === null) {
                vErrors = [err36];
              } else {
                vErrors.push(err36);
              }
              errors++;
            }
            if (!pattern14.test(data13)) {
              const err37 = {
                instancePath: instancePath + "/artifact/name",
                schemaPath: "#/properties/artifact/properties/name/pattern",
                keyword: "pattern",
                params: { pattern: '^[^"\\\\/:<>|*?\\r\\n]+$' },
                message: 'must match pattern "^[^"\\\\/:<>|*?\\r\\n]+$"',
                schema: '^[^"\\\\/:<>|*?\\r\\n]+$',
                parentSchema: schema36.properties.artifact.properties.name,
                data: data13
              };
              if (vErrors === null) {
                vErrors = [err37];
              } else {
                vErrors.push(err37);
              }
              errors++;
            }
          } else {
            const err38 = {
              instancePath: instancePath + "/artifact/name",
              schemaPath: "#/properties/artifact/properties/name/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema36.properties.artifact.properties.name.type,
              parentSchema: schema36.properties.artifact.properties.name,
              data: data13
            };
            if (vErrors === null) {
              vErrors = [err38];
            } else {
              vErrors.push(err38);
            }
            errors++;
          }
        }
        if (data12["retention-days"] !== void 0) {
          let data14 = data12["retention-days"];
          if (!(typeof data14 == "number" && !(data14 % 1) && !isNaN(data14) && isFinite(data14))) {
            const err39 = {
              instancePath: instancePath + "/artifact/retention-days",
              schemaPath: "#/properties/artifact/properties/retention-days/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema36.properties.artifact.properties["retention-days"].type,
              parentSchema: schema36.properties.artifact.properties["retention-days"],
              data: data14
            };
            if (vErrors === null) {
              vErrors = [err39];
            } else {
              vErrors.push(err39);
            }
            errors++;
          }
          if (typeof data14 == "number" && isFinite(data14)) {
            if (data14 > 400 || isNaN(data14)) {
              const err40 = {
                instancePath: instancePath + "/artifact/retention-days",
                schemaPath: "#/properties/artifact/properties/retention-days/maximum",
                keyword: "maximum",
                params: { comparison: "<=", limit: 400 },
                message: "must be <= 400",
                schema: 400,
                parentSchema: schema36.properties.artifact.properties["retention-days"],
                data: data14
              };
              if (vErrors === null) {
                vErrors = [err40];
              } else {
                vErrors.push(err40);
              }
              errors++;
            }
            if (data14 < 1 || isNaN(data14)) {
              const err41 = {
                instancePath: instancePath + "/artifact/retention-days",
                schemaPath: "#/properties/artifact/properties/retention-days/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema36.properties.artifact.properties["retention-days"],
                data: data14
              };
              if (vErrors === null) {
                vErrors = [err41];
              } else {
                vErrors.push(err41);
              }
              errors++;
            }
          }
        }
        if (data12["compression-level"] !== void 0) {
          let data15 = data12["compression-level"];
          if (!(typeof data15 == "number" && !(data15 % 1) && !isNaN(data15) && isFinite(data15))) {
            const err42 = {
              instancePath: instancePath + "/artifact/compression-level",
              schemaPath: "#/properties/artifact/properties/compression-level/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema36.properties.artifact.properties["compression-level"].type,
              parentSchema: schema36.properties.artifact.properties["compression-level"],
              data: data15
            };
            if (vErrors === null) {
              vErrors = [err42];
            } else {
              vErrors.push(err42);
            }
            errors++;
          }
          if (typeof data15 == "number" && isFinite(data15)) {
            if (data15 > 9 || isNaN(data15)) {
              const err43 = {
                instancePath: instancePath + "/artifact/compression-level",
                schemaPath: "#/properties/artifact/properties/compression-level/maximum",
                keyword: "maximum",
                params: { comparison: "<=", limit: 9 },
                message: "must be <= 9",
                schema: 9,
                parentSchema: schema36.properties.artifact.properties["compression-level"],
                data: data15
              };
              if (vErrors === null) {
                vErrors = [err43];
              } else {
                vErrors.push(err43);
              }
              errors++;
            }
            if (data15 < 0 || isNaN(data15)) {
              const err44 = {
                instancePath: instancePath + "/artifact/compression-level",
                schemaPath: "#/properties/artifact/properties/compression-level/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 0 },
                message: "must be >= 0",
                schema: 0,
                parentSchema: schema36.properties.artifact.properties["compression-level"],
                data: data15
              };
              if (vErrors === null) {
                vErrors = [err44];
              } else {
                vErrors.push(err44);
              }
              errors++;
            }
          }
        }
        if (data12.overwrite !== void 0) {
          let data16 = data12.overwrite;
          if (typeof data16 !== "boolean") {
            const err45 = {
              instancePath: instancePath + "/artifact/overwrite",
              schemaPath: "#/properties/artifact/properties/overwrite/type",
              keyword: "type",
              params: { type: "boolean" },
              message: "must be boolean",
              schema: schema36.properties.artifact.properties.overwrite.type,
              parentSchema: schema36.properties.artifact.properties.overwrite,
              data: data16
            };
            if (vErrors === null) {
              vErrors = [err45];
            } else {
              vErrors.push(err45);
            }
            errors++;
          }
        }
      } else {
        const err46 = {
          instancePath: instancePath + "/artifact",
          schemaPath: "#/properties/artifact/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema36.properties.artifact.type,
          parentSchema: schema36.properties.artifact,
          data: data12
        };
        if (vErrors === null) {
          vErrors = [err46];
        } else {
          vErrors.push(err46);
        }
        errors++;
      }
    }
    if (data.registry !== void 0) {
      if (!validate22(data.registry, {
        instancePath: instancePath + "/registry",
        parentData: data,
        parentDataProperty: "registry",
        rootData,
        dynamicAnchors
      })) {
        vErrors = vErrors === null ? validate22.errors : vErrors.concat(validate22.errors);
        errors = vErrors.length;
      }
    }
    if (data["roll-back-interrupted"] !== void 0) {
      let data18 = data["roll-back-interrupted"];
      if (typeof data18 !== "boolean") {
        const err47 = {
          instancePath: instancePath + "/roll-back-interrupted",
          schemaPath: "#/$defs/rollBackInterrupted/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema45.type,
          parentSchema: schema45,
          data: data18
        };
        if (vErrors === null) {
          vErrors = [err47];
        } else {
          vErrors.push(err47);
        }
        errors++;
      }
    }
  } else {
    const err48 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema36.type,
      parentSchema: schema36,
      data
    };
    if (vErrors === null) {
      vErrors = [err48];
    } else {
      vErrors.push(err48);
    }
    errors++;
  }
  validate21.errors = vErrors;
  return errors === 0;
}
validate21.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
var schema46 = {
  description: "Restore a backup into the store through the license service. Needs `path`, `from-artifact` or `from-registry`.",
  type: "object",
  additionalProperties: false,
  properties: {
    path: {
      description: "The backup folder to restore from (RestorePath). Not used with `from-artifact`, which downloads into a private temporary folder.",
      type: "string",
      minLength: 1
    },
    "path-env": {
      description: "Name of the environment variable holding the path of the backup folder to restore from, instead of `path` (see `backup.path-env`).",
      $ref: "#/$defs/envName"
    },
    store: { $ref: "#/$defs/store" },
    pattern: { $ref: "#/$defs/pattern" },
    "from-artifact": { $ref: "#/$defs/fromArtifact" },
    "from-registry": { $ref: "#/$defs/fromRegistry" },
    individualize: {
      description: "Consent to create this machine's key in the store if it has none (WM_RESTORE_INDIVIDUALIZE). Default false.",
      type: "boolean"
    },
    "identity-env": {
      description: "Name of the environment variable holding the age identity (`AGE-SECRET-KEY-1\u2026`) for an encrypted backup. The identity never goes in this file.",
      $ref: "#/$defs/envName"
    },
    "max-age": { $ref: "#/$defs/maxAge" },
    "on-refused": {
      description: "What a license the service would refuse does (protocol v1.1): `fail` (default) fails the step before any slot is used, listing every refusal with its URL; `skip` restores the rest and warns once per refused license.",
      enum: ["fail", "skip"]
    },
    include: { $ref: "#/$defs/include" },
    "machine-key-env": {
      description: "Name of the environment variable holding this machine's key (an Ed25519 private key as a JWK, or an OpenSSH Ed25519 private key without passphrase). With it, re-provisioned runners are the same machine and take no new slot; the key is never written to disk and the store needs no `individualize`.",
      $ref: "#/$defs/envName"
    },
    lease: { $ref: "#/$defs/lease" },
    "release-on-exit": {
      description: "Give back what this step restored when the job ends (the action's post step), also when the job failed or was cancelled: for ephemeral runners that need the licenses only for the job. Default false.",
      type: "boolean"
    },
    "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
  },
  allOf: [
    {
      anyOf: [
        { required: ["path"] },
        { required: ["path-env"] },
        { required: ["from-artifact"] },
        { required: ["from-registry"] }
      ],
      "x-message": "needs `path` (a backup folder), `path-env` (the variable holding it), `from-artifact` (an artifact holding one) or `from-registry` (a registry reference)"
    },
    { not: { required: ["path", "path-env"] }, "x-message": "takes `path` or `path-env`, not both" },
    {
      not: { required: ["from-artifact", "from-registry"] },
      "x-message": "takes `from-artifact` or `from-registry`, not both"
    }
  ]
};
var schema50 = {
  description: "Download the backup from an artifact first (docs/format.md, where backups live): of this run; of `run-id` or `artifact-id`; or the newest non-expired one among the trusted runs of `workflow` (its `events` on its `branch`, never a fork unless `allow-forks`).",
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: {
      description: "The artifact's name.",
      type: "string",
      minLength: 1,
      pattern: '^[^"\\\\/:<>|*?\\r\\n]+$',
      "x-message": 'is not a valid artifact name: it cannot contain / \\ " : < > | * ? or line breaks'
    },
    "run-id": {
      description: "The workflow run that uploaded the artifact (needs the `github-token` input with `actions: read`).",
      type: "integer",
      minimum: 1
    },
    "artifact-id": {
      description: "The artifact's ID (as in its URL): that artifact, which must have this `name` and not be expired (needs `github-token` with `actions: read`).",
      type: "integer",
      minimum: 1
    },
    workflow: {
      description: "A workflow file name (`nightly.yml`) or ID: the newest non-expired artifact of that name among its trusted successful runs is used, falling back past runs without one (needs `github-token` with `actions: read`).",
      type: ["string", "integer"],
      minLength: 1
    },
    branch: {
      description: "With `workflow`: use only runs on this branch. Default: the repository's default branch.",
      type: "string",
      minLength: 1
    },
    events: {
      description: "With `workflow`: use only runs started by these events. Default `[schedule, push, workflow_dispatch]` (never `pull_request` unless listed).",
      type: "array",
      minItems: 1,
      uniqueItems: true,
      items: {
        description: "A workflow event name (`push`, `schedule`, \u2026).",
        type: "string",
        pattern: "^[a-z_]+$",
        "x-message": "is not a workflow event name (`push`, `schedule`, `workflow_dispatch`, \u2026)"
      }
    },
    repository: {
      description: "`owner/name` of the repository holding the run. Default: this repository.",
      type: "string",
      pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
      "x-message": "must be `owner/name`"
    },
    "allow-forks": {
      description: "Accept a run whose head repository is not this repository (a fork's pull request). Default false: such a run is never used.",
      type: "boolean"
    }
  },
  allOf: [
    {
      not: {
        anyOf: [
          { required: ["run-id", "workflow"] },
          { required: ["run-id", "artifact-id"] },
          { required: ["workflow", "artifact-id"] }
        ]
      },
      "x-message": "takes one of `run-id`, `artifact-id` or `workflow`, not several"
    },
    {
      dependentRequired: { branch: ["workflow"], events: ["workflow"] },
      "x-message": "takes `branch` and `events` only with `workflow` (they choose among its runs)"
    }
  ]
};
var schema57 = {
  description: "Only the licenses named here: each entry is a license ID (`jti`), a key ID, or a path pattern (a glob relative to the store, e.g. `games/**/*.jwt`).",
  type: "array",
  minItems: 1,
  items: { type: "string", minLength: 1 }
};
var schema59 = {
  description: "The lease to ask the license service for (protocol v1.2): `90s`, `30m`, `2h`, `7d`, at least a minute. Each copy it re-issues is valid that long (the service grants the shorter of this and the license's policy); an ephemeral runner asks for its job's length. Default: the service's policy.",
  type: "string",
  pattern: "^[1-9][0-9]{0,5}[smhd]$",
  "x-message": "must be a duration of seconds, minutes, hours or days, like `90s`, `30m`, `2h` or `7d`"
};
var pattern23 = new RegExp("^[a-z_]+$", "u");
var pattern24 = new RegExp("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", "u");
var pattern34 = new RegExp("^[1-9][0-9]{0,5}[smhd]$", "u");
var schema51 = {
  description: "Pull the backup from an OCI registry first, by tag or digest; every blob is checked against its digest before use.",
  type: "object",
  additionalProperties: false,
  required: ["reference"],
  properties: {
    reference: {
      description: "`ghcr.io/acme/license-backups:nightly` or `\u2026@sha256:<digest>`.",
      type: "string",
      pattern: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$",
      "x-message": "must be a registry reference with a tag or digest, such as ghcr.io/acme/license-backups:nightly"
    },
    username: { $ref: "#/$defs/registryUsername" },
    "token-env": {
      description: "Name of the environment variable holding the registry token or password (for GHCR, set it from `secrets.GITHUB_TOKEN`). Without it the registry is used anonymously.",
      $ref: "#/$defs/envName"
    },
    "token-realms": { $ref: "#/$defs/tokenRealms" }
  }
};
var pattern25 = new RegExp(
  "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$",
  "u"
);
function validate26(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate26.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.reference === void 0) {
      const err0 = {
        instancePath,
        schemaPath: "#/required",
        keyword: "required",
        params: { missingProperty: "reference" },
        message: "must have required property 'reference'",
        schema: schema51.required,
        parentSchema: schema51,
        data
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
    for (const key0 in data) {
      if (!(key0 === "reference" || key0 === "username" || key0 === "token-env" || key0 === "token-realms")) {
        const err1 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema51,
          data
        };
        if (vErrors === null) {
          vErrors = [err1];
        } else {
          vErrors.push(err1);
        }
        errors++;
      }
    }
    if (data.reference !== void 0) {
      let data0 = data.reference;
      if (typeof data0 === "string") {
        if (!pattern25.test(data0)) {
          const err2 = {
            instancePath: instancePath + "/reference",
            schemaPath: "#/properties/reference/pattern",
            keyword: "pattern",
            params: {
              pattern: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$"
            },
            message: 'must match pattern "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$"',
            schema: "^(https?://)?[^/@\\s]+/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$",
            parentSchema: schema51.properties.reference,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err2];
          } else {
            vErrors.push(err2);
          }
          errors++;
        }
      } else {
        const err3 = {
          instancePath: instancePath + "/reference",
          schemaPath: "#/properties/reference/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema51.properties.reference.type,
          parentSchema: schema51.properties.reference,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err3];
        } else {
          vErrors.push(err3);
        }
        errors++;
      }
    }
    if (data.username !== void 0) {
      let data1 = data.username;
      if (typeof data1 === "string") {
        if (func2(data1) > 256) {
          const err4 = {
            instancePath: instancePath + "/username",
            schemaPath: "#/$defs/registryUsername/maxLength",
            keyword: "maxLength",
            params: { limit: 256 },
            message: "must NOT have more than 256 characters",
            schema: 256,
            parentSchema: schema42,
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err4];
          } else {
            vErrors.push(err4);
          }
          errors++;
        }
        if (func2(data1) < 1) {
          const err5 = {
            instancePath: instancePath + "/username",
            schemaPath: "#/$defs/registryUsername/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema42,
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err5];
          } else {
            vErrors.push(err5);
          }
          errors++;
        }
      } else {
        const err6 = {
          instancePath: instancePath + "/username",
          schemaPath: "#/$defs/registryUsername/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema42.type,
          parentSchema: schema42,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err6];
        } else {
          vErrors.push(err6);
        }
        errors++;
      }
    }
    if (data["token-env"] !== void 0) {
      let data2 = data["token-env"];
      if (typeof data2 !== "string") {
        const err7 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err7];
        } else {
          vErrors.push(err7);
        }
        errors++;
      }
      if (typeof data2 === "string") {
        if (!pattern6.test(data2)) {
          const err8 = {
            instancePath: instancePath + "/token-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data2
          };
          if (vErrors === null) {
            vErrors = [err8];
          } else {
            vErrors.push(err8);
          }
          errors++;
        }
      } else {
        const err9 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err9];
        } else {
          vErrors.push(err9);
        }
        errors++;
      }
      if (typeof data2 !== "string") {
        const err10 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err10];
        } else {
          vErrors.push(err10);
        }
        errors++;
      }
      const _errs16 = errors;
      const _errs17 = errors;
      if (typeof data2 === "string") {
        if (!pattern7.test(data2)) {
          const err11 = {};
          if (vErrors === null) {
            vErrors = [err11];
          } else {
            vErrors.push(err11);
          }
          errors++;
        }
      }
      var valid4 = _errs17 === errors;
      if (valid4) {
        const err12 = {
          instancePath: instancePath + "/token-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err12];
        } else {
          vErrors.push(err12);
        }
        errors++;
      } else {
        errors = _errs16;
        if (vErrors !== null) {
          if (_errs16) {
            vErrors.length = _errs16;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data["token-realms"] !== void 0) {
      let data3 = data["token-realms"];
      if (Array.isArray(data3)) {
        const len0 = data3.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data4 = data3[i0];
          if (typeof data4 === "string") {
            if (!pattern19.test(data4)) {
              const err13 = {
                instancePath: instancePath + "/token-realms/" + i0,
                schemaPath: "#/$defs/tokenRealms/items/pattern",
                keyword: "pattern",
                params: {
                  pattern: "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$"
                },
                message: 'must match pattern "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$"',
                schema: "^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost))(:[0-9]{1,5})?/?$",
                parentSchema: schema44.items,
                data: data4
              };
              if (vErrors === null) {
                vErrors = [err13];
              } else {
                vErrors.push(err13);
              }
              errors++;
            }
          } else {
            const err14 = {
              instancePath: instancePath + "/token-realms/" + i0,
              schemaPath: "#/$defs/tokenRealms/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema44.items.type,
              parentSchema: schema44.items,
              data: data4
            };
            if (vErrors === null) {
              vErrors = [err14];
            } else {
              vErrors.push(err14);
            }
            errors++;
          }
        }
        let i1 = data3.length;
        let j0;
        if (i1 > 1) {
          const indices0 = {};
          for (; i1--; ) {
            let item0 = data3[i1];
            if (typeof item0 !== "string") {
              continue;
            }
            if (typeof indices0[item0] == "number") {
              j0 = indices0[item0];
              const err15 = {
                instancePath: instancePath + "/token-realms",
                schemaPath: "#/$defs/tokenRealms/uniqueItems",
                keyword: "uniqueItems",
                params: { i: i1, j: j0 },
                message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)",
                schema: true,
                parentSchema: schema44,
                data: data3
              };
              if (vErrors === null) {
                vErrors = [err15];
              } else {
                vErrors.push(err15);
              }
              errors++;
              break;
            }
            indices0[item0] = i1;
          }
        }
      } else {
        const err16 = {
          instancePath: instancePath + "/token-realms",
          schemaPath: "#/$defs/tokenRealms/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema44.type,
          parentSchema: schema44,
          data: data3
        };
        if (vErrors === null) {
          vErrors = [err16];
        } else {
          vErrors.push(err16);
        }
        errors++;
      }
    }
  } else {
    const err17 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema51.type,
      parentSchema: schema51,
      data
    };
    if (vErrors === null) {
      vErrors = [err17];
    } else {
      vErrors.push(err17);
    }
    errors++;
  }
  validate26.errors = vErrors;
  return errors === 0;
}
validate26.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
function validate25(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate25.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  const _errs2 = errors;
  let valid1 = false;
  const _errs3 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.path === void 0) {
      const err0 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/0/required",
        keyword: "required",
        params: { missingProperty: "path" },
        message: "must have required property 'path'",
        schema: schema46.allOf[0].anyOf[0].required,
        parentSchema: schema46.allOf[0].anyOf[0],
        data
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
  }
  var _valid0 = _errs3 === errors;
  valid1 = valid1 || _valid0;
  const _errs4 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data["path-env"] === void 0) {
      const err1 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/1/required",
        keyword: "required",
        params: { missingProperty: "path-env" },
        message: "must have required property 'path-env'",
        schema: schema46.allOf[0].anyOf[1].required,
        parentSchema: schema46.allOf[0].anyOf[1],
        data
      };
      if (vErrors === null) {
        vErrors = [err1];
      } else {
        vErrors.push(err1);
      }
      errors++;
    }
  }
  var _valid0 = _errs4 === errors;
  valid1 = valid1 || _valid0;
  const _errs5 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data["from-artifact"] === void 0) {
      const err2 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/2/required",
        keyword: "required",
        params: { missingProperty: "from-artifact" },
        message: "must have required property 'from-artifact'",
        schema: schema46.allOf[0].anyOf[2].required,
        parentSchema: schema46.allOf[0].anyOf[2],
        data
      };
      if (vErrors === null) {
        vErrors = [err2];
      } else {
        vErrors.push(err2);
      }
      errors++;
    }
  }
  var _valid0 = _errs5 === errors;
  valid1 = valid1 || _valid0;
  const _errs6 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data["from-registry"] === void 0) {
      const err3 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/3/required",
        keyword: "required",
        params: { missingProperty: "from-registry" },
        message: "must have required property 'from-registry'",
        schema: schema46.allOf[0].anyOf[3].required,
        parentSchema: schema46.allOf[0].anyOf[3],
        data
      };
      if (vErrors === null) {
        vErrors = [err3];
      } else {
        vErrors.push(err3);
      }
      errors++;
    }
  }
  var _valid0 = _errs6 === errors;
  valid1 = valid1 || _valid0;
  if (!valid1) {
    const err4 = {
      instancePath,
      schemaPath: "#/allOf/0/anyOf",
      keyword: "anyOf",
      params: {},
      message: "must match a schema in anyOf",
      schema: schema46.allOf[0].anyOf,
      parentSchema: schema46.allOf[0],
      data
    };
    if (vErrors === null) {
      vErrors = [err4];
    } else {
      vErrors.push(err4);
    }
    errors++;
  } else {
    errors = _errs2;
    if (vErrors !== null) {
      if (_errs2) {
        vErrors.length = _errs2;
      } else {
        vErrors = null;
      }
    }
  }
  const _errs9 = errors;
  const _errs10 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    let missing0;
    if (data.path === void 0 && (missing0 = "path") || data["path-env"] === void 0 && (missing0 = "path-env")) {
      const err5 = {};
      if (vErrors === null) {
        vErrors = [err5];
      } else {
        vErrors.push(err5);
      }
      errors++;
    }
  }
  var valid2 = _errs10 === errors;
  if (valid2) {
    const err6 = {
      instancePath,
      schemaPath: "#/allOf/1/not",
      keyword: "not",
      params: {},
      message: "must NOT be valid",
      schema: schema46.allOf[1].not,
      parentSchema: schema46.allOf[1],
      data
    };
    if (vErrors === null) {
      vErrors = [err6];
    } else {
      vErrors.push(err6);
    }
    errors++;
  } else {
    errors = _errs9;
    if (vErrors !== null) {
      if (_errs9) {
        vErrors.length = _errs9;
      } else {
        vErrors = null;
      }
    }
  }
  const _errs13 = errors;
  const _errs14 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    let missing1;
    if (data["from-artifact"] === void 0 && (missing1 = "from-artifact") || data["from-registry"] === void 0 && (missing1 = "from-registry")) {
      const err7 = {};
      if (vErrors === null) {
        vErrors = [err7];
      } else {
        vErrors.push(err7);
      }
      errors++;
    }
  }
  var valid3 = _errs14 === errors;
  if (valid3) {
    const err8 = {
      instancePath,
      schemaPath: "#/allOf/2/not",
      keyword: "not",
      params: {},
      message: "must NOT be valid",
      schema: schema46.allOf[2].not,
      parentSchema: schema46.allOf[2],
      data
    };
    if (vErrors === null) {
      vErrors = [err8];
    } else {
      vErrors.push(err8);
    }
    errors++;
  } else {
    errors = _errs13;
    if (vErrors !== null) {
      if (_errs13) {
        vErrors.length = _errs13;
      } else {
        vErrors = null;
      }
    }
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!func1.call(schema46.properties, key0)) {
        const err9 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema46,
          data
        };
        if (vErrors === null) {
          vErrors = [err9];
        } else {
          vErrors.push(err9);
        }
        errors++;
      }
    }
    if (data.path !== void 0) {
      let data0 = data.path;
      if (typeof data0 === "string") {
        if (func2(data0) < 1) {
          const err10 = {
            instancePath: instancePath + "/path",
            schemaPath: "#/properties/path/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema46.properties.path,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err10];
          } else {
            vErrors.push(err10);
          }
          errors++;
        }
      } else {
        const err11 = {
          instancePath: instancePath + "/path",
          schemaPath: "#/properties/path/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema46.properties.path.type,
          parentSchema: schema46.properties.path,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err11];
        } else {
          vErrors.push(err11);
        }
        errors++;
      }
    }
    if (data["path-env"] !== void 0) {
      let data1 = data["path-env"];
      if (typeof data1 !== "string") {
        const err12 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err12];
        } else {
          vErrors.push(err12);
        }
        errors++;
      }
      if (typeof data1 === "string") {
        if (!pattern6.test(data1)) {
          const err13 = {
            instancePath: instancePath + "/path-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err13];
          } else {
            vErrors.push(err13);
          }
          errors++;
        }
      } else {
        const err14 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err14];
        } else {
          vErrors.push(err14);
        }
        errors++;
      }
      if (typeof data1 !== "string") {
        const err15 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err15];
        } else {
          vErrors.push(err15);
        }
        errors++;
      }
      const _errs27 = errors;
      const _errs28 = errors;
      if (typeof data1 === "string") {
        if (!pattern7.test(data1)) {
          const err16 = {};
          if (vErrors === null) {
            vErrors = [err16];
          } else {
            vErrors.push(err16);
          }
          errors++;
        }
      }
      var valid7 = _errs28 === errors;
      if (valid7) {
        const err17 = {
          instancePath: instancePath + "/path-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err17];
        } else {
          vErrors.push(err17);
        }
        errors++;
      } else {
        errors = _errs27;
        if (vErrors !== null) {
          if (_errs27) {
            vErrors.length = _errs27;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data.store !== void 0) {
      let data2 = data.store;
      if (typeof data2 === "string") {
        if (func2(data2) < 1) {
          const err18 = {
            instancePath: instancePath + "/store",
            schemaPath: "#/$defs/store/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema32,
            data: data2
          };
          if (vErrors === null) {
            vErrors = [err18];
          } else {
            vErrors.push(err18);
          }
          errors++;
        }
      } else {
        const err19 = {
          instancePath: instancePath + "/store",
          schemaPath: "#/$defs/store/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema32.type,
          parentSchema: schema32,
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err19];
        } else {
          vErrors.push(err19);
        }
        errors++;
      }
    }
    if (data.pattern !== void 0) {
      let data3 = data.pattern;
      if (typeof data3 === "string") {
        if (func2(data3) < 1) {
          const err20 = {
            instancePath: instancePath + "/pattern",
            schemaPath: "#/$defs/pattern/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema33,
            data: data3
          };
          if (vErrors === null) {
            vErrors = [err20];
          } else {
            vErrors.push(err20);
          }
          errors++;
        }
      } else {
        const err21 = {
          instancePath: instancePath + "/pattern",
          schemaPath: "#/$defs/pattern/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema33.type,
          parentSchema: schema33,
          data: data3
        };
        if (vErrors === null) {
          vErrors = [err21];
        } else {
          vErrors.push(err21);
        }
        errors++;
      }
    }
    if (data["from-artifact"] !== void 0) {
      let data4 = data["from-artifact"];
      const _errs40 = errors;
      const _errs41 = errors;
      const _errs42 = errors;
      let valid13 = false;
      const _errs43 = errors;
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        let missing2;
        if (data4["run-id"] === void 0 && (missing2 = "run-id") || data4.workflow === void 0 && (missing2 = "workflow")) {
          const err22 = {};
          if (vErrors === null) {
            vErrors = [err22];
          } else {
            vErrors.push(err22);
          }
          errors++;
        }
      }
      var _valid1 = _errs43 === errors;
      valid13 = valid13 || _valid1;
      const _errs44 = errors;
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        let missing3;
        if (data4["run-id"] === void 0 && (missing3 = "run-id") || data4["artifact-id"] === void 0 && (missing3 = "artifact-id")) {
          const err23 = {};
          if (vErrors === null) {
            vErrors = [err23];
          } else {
            vErrors.push(err23);
          }
          errors++;
        }
      }
      var _valid1 = _errs44 === errors;
      valid13 = valid13 || _valid1;
      const _errs45 = errors;
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        let missing4;
        if (data4.workflow === void 0 && (missing4 = "workflow") || data4["artifact-id"] === void 0 && (missing4 = "artifact-id")) {
          const err24 = {};
          if (vErrors === null) {
            vErrors = [err24];
          } else {
            vErrors.push(err24);
          }
          errors++;
        }
      }
      var _valid1 = _errs45 === errors;
      valid13 = valid13 || _valid1;
      if (!valid13) {
        const err25 = {};
        if (vErrors === null) {
          vErrors = [err25];
        } else {
          vErrors.push(err25);
        }
        errors++;
      } else {
        errors = _errs42;
        if (vErrors !== null) {
          if (_errs42) {
            vErrors.length = _errs42;
          } else {
            vErrors = null;
          }
        }
      }
      var valid12 = _errs41 === errors;
      if (valid12) {
        const err26 = {
          instancePath: instancePath + "/from-artifact",
          schemaPath: "#/$defs/fromArtifact/allOf/0/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema50.allOf[0].not,
          parentSchema: schema50.allOf[0],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err26];
        } else {
          vErrors.push(err26);
        }
        errors++;
      } else {
        errors = _errs40;
        if (vErrors !== null) {
          if (_errs40) {
            vErrors.length = _errs40;
          } else {
            vErrors = null;
          }
        }
      }
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        if (data4.branch !== void 0) {
          if (data4.workflow === void 0) {
            const err27 = {
              instancePath: instancePath + "/from-artifact",
              schemaPath: "#/$defs/fromArtifact/allOf/1/dependentRequired",
              keyword: "dependentRequired",
              params: { property: "branch", missingProperty: "workflow", depsCount: 1, deps: "workflow" },
              message: "must have property workflow when property branch is present",
              schema: schema50.allOf[1].dependentRequired,
              parentSchema: schema50.allOf[1],
              data: data4
            };
            if (vErrors === null) {
              vErrors = [err27];
            } else {
              vErrors.push(err27);
            }
            errors++;
          }
        }
        if (data4.events !== void 0) {
          if (data4.workflow === void 0) {
            const err28 = {
              instancePath: instancePath + "/from-artifact",
              schemaPath: "#/$defs/fromArtifact/allOf/1/dependentRequired",
              keyword: "dependentRequired",
              params: { property: "events", missingProperty: "workflow", depsCount: 1, deps: "workflow" },
              message: "must have property workflow when property events is present",
              schema: schema50.allOf[1].dependentRequired,
              parentSchema: schema50.allOf[1],
              data: data4
            };
            if (vErrors === null) {
              vErrors = [err28];
            } else {
              vErrors.push(err28);
            }
            errors++;
          }
        }
      }
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        if (data4.name === void 0) {
          const err29 = {
            instancePath: instancePath + "/from-artifact",
            schemaPath: "#/$defs/fromArtifact/required",
            keyword: "required",
            params: { missingProperty: "name" },
            message: "must have required property 'name'",
            schema: schema50.required,
            parentSchema: schema50,
            data: data4
          };
          if (vErrors === null) {
            vErrors = [err29];
          } else {
            vErrors.push(err29);
          }
          errors++;
        }
        for (const key1 in data4) {
          if (!(key1 === "name" || key1 === "run-id" || key1 === "artifact-id" || key1 === "workflow" || key1 === "branch" || key1 === "events" || key1 === "repository" || key1 === "allow-forks")) {
            const err30 = {
              instancePath: instancePath + "/from-artifact",
              schemaPath: "#/$defs/fromArtifact/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key1 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema50,
              data: data4
            };
            if (vErrors === null) {
              vErrors = [err30];
            } else {
              vErrors.push(err30);
            }
            errors++;
          }
        }
        if (data4.name !== void 0) {
          let data5 = data4.name;
          if (typeof data5 === "string") {
            if (func2(data5) < 1) {
              const err31 = {
                instancePath: instancePath + "/from-artifact/name",
                schemaPath: "#/$defs/fromArtifact/properties/name/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema50.properties.name,
                data: data5
              };
              if (vErrors === null) {
                vErrors = [err31];
              } else {
                vErrors.push(err31);
              }
              errors++;
            }
            if (!pattern14.test(data5)) {
              const err32 = {
                instancePath: instancePath + "/from-artifact/name",
                schemaPath: "#/$defs/fromArtifact/properties/name/pattern",
                keyword: "pattern",
                params: { pattern: '^[^"\\\\/:<>|*?\\r\\n]+$' },
                message: 'must match pattern "^[^"\\\\/:<>|*?\\r\\n]+$"',
                schema: '^[^"\\\\/:<>|*?\\r\\n]+$',
                parentSchema: schema50.properties.name,
                data: data5
              };
              if (vErrors === null) {
                vErrors = [err32];
              } else {
                vErrors.push(err32);
              }
              errors++;
            }
          } else {
            const err33 = {
              instancePath: instancePath + "/from-artifact/name",
              schemaPath: "#/$defs/fromArtifact/properties/name/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema50.properties.name.type,
              parentSchema: schema50.properties.name,
              data: data5
            };
            if (vErrors === null) {
              vErrors = [err33];
            } else {
              vErrors.push(err33);
            }
            errors++;
          }
        }
        if (data4["run-id"] !== void 0) {
          let data6 = data4["run-id"];
          if (!(typeof data6 == "number" && !(data6 % 1) && !isNaN(data6) && isFinite(data6))) {
            const err34 = {
              instancePath: instancePath + "/from-artifact/run-id",
              schemaPath: "#/$defs/fromArtifact/properties/run-id/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema50.properties["run-id"].type,
              parentSchema: schema50.properties["run-id"],
              data: data6
            };
            if (vErrors === null) {
              vErrors = [err34];
            } else {
              vErrors.push(err34);
            }
            errors++;
          }
          if (typeof data6 == "number" && isFinite(data6)) {
            if (data6 < 1 || isNaN(data6)) {
              const err35 = {
                instancePath: instancePath + "/from-artifact/run-id",
                schemaPath: "#/$defs/fromArtifact/properties/run-id/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema50.properties["run-id"],
                data: data6
              };
              if (vErrors === null) {
                vErrors = [err35];
              } else {
                vErrors.push(err35);
              }
              errors++;
            }
          }
        }
        if (data4["artifact-id"] !== void 0) {
          let data7 = data4["artifact-id"];
          if (!(typeof data7 == "number" && !(data7 % 1) && !isNaN(data7) && isFinite(data7))) {
            const err36 = {
              instancePath: instancePath + "/from-artifact/artifact-id",
              schemaPath: "#/$defs/fromArtifact/properties/artifact-id/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema50.properties["artifact-id"].type,
              parentSchema: schema50.properties["artifact-id"],
              data: data7
            };
            if (vErrors === null) {
              vErrors = [err36];
            } else {
              vErrors.push(err36);
            }
            errors++;
          }
          if (typeof data7 == "number" && isFinite(data7)) {
            if (data7 < 1 || isNaN(data7)) {
              const err37 = {
                instancePath: instancePath + "/from-artifact/artifact-id",
                schemaPath: "#/$defs/fromArtifact/properties/artifact-id/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema50.properties["artifact-id"],
                data: data7
              };
              if (vErrors === null) {
                vErrors = [err37];
              } else {
                vErrors.push(err37);
              }
              errors++;
            }
          }
        }
        if (data4.workflow !== void 0) {
          let data8 = data4.workflow;
          if (typeof data8 !== "string" && !(typeof data8 == "number" && !(data8 % 1) && !isNaN(data8) && isFinite(data8))) {
            const err38 = {
              instancePath: instancePath + "/from-artifact/workflow",
              schemaPath: "#/$defs/fromArtifact/properties/workflow/type",
              keyword: "type",
              params: { type: schema50.properties.workflow.type },
              message: "must be string,integer",
              schema: schema50.properties.workflow.type,
              parentSchema: schema50.properties.workflow,
              data: data8
            };
            if (vErrors === null) {
              vErrors = [err38];
            } else {
              vErrors.push(err38);
            }
            errors++;
          }
          if (typeof data8 === "string") {
            if (func2(data8) < 1) {
              const err39 = {
                instancePath: instancePath + "/from-artifact/workflow",
                schemaPath: "#/$defs/fromArtifact/properties/workflow/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema50.properties.workflow,
                data: data8
              };
              if (vErrors === null) {
                vErrors = [err39];
              } else {
                vErrors.push(err39);
              }
              errors++;
            }
          }
        }
        if (data4.branch !== void 0) {
          let data9 = data4.branch;
          if (typeof data9 === "string") {
            if (func2(data9) < 1) {
              const err40 = {
                instancePath: instancePath + "/from-artifact/branch",
                schemaPath: "#/$defs/fromArtifact/properties/branch/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema50.properties.branch,
                data: data9
              };
              if (vErrors === null) {
                vErrors = [err40];
              } else {
                vErrors.push(err40);
              }
              errors++;
            }
          } else {
            const err41 = {
              instancePath: instancePath + "/from-artifact/branch",
              schemaPath: "#/$defs/fromArtifact/properties/branch/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema50.properties.branch.type,
              parentSchema: schema50.properties.branch,
              data: data9
            };
            if (vErrors === null) {
              vErrors = [err41];
            } else {
              vErrors.push(err41);
            }
            errors++;
          }
        }
        if (data4.events !== void 0) {
          let data10 = data4.events;
          if (Array.isArray(data10)) {
            if (data10.length < 1) {
              const err42 = {
                instancePath: instancePath + "/from-artifact/events",
                schemaPath: "#/$defs/fromArtifact/properties/events/minItems",
                keyword: "minItems",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 items",
                schema: 1,
                parentSchema: schema50.properties.events,
                data: data10
              };
              if (vErrors === null) {
                vErrors = [err42];
              } else {
                vErrors.push(err42);
              }
              errors++;
            }
            const len0 = data10.length;
            for (let i0 = 0; i0 < len0; i0++) {
              let data11 = data10[i0];
              if (typeof data11 === "string") {
                if (!pattern23.test(data11)) {
                  const err43 = {
                    instancePath: instancePath + "/from-artifact/events/" + i0,
                    schemaPath: "#/$defs/fromArtifact/properties/events/items/pattern",
                    keyword: "pattern",
                    params: { pattern: "^[a-z_]+$" },
                    message: 'must match pattern "^[a-z_]+$"',
                    schema: "^[a-z_]+$",
                    parentSchema: schema50.properties.events.items,
                    data: data11
                  };
                  if (vErrors === null) {
                    vErrors = [err43];
                  } else {
                    vErrors.push(err43);
                  }
                  errors++;
                }
              } else {
                const err44 = {
                  instancePath: instancePath + "/from-artifact/events/" + i0,
                  schemaPath: "#/$defs/fromArtifact/properties/events/items/type",
                  keyword: "type",
                  params: { type: "string" },
                  message: "must be string",
                  schema: schema50.properties.events.items.type,
                  parentSchema: schema50.properties.events.items,
                  data: data11
                };
                if (vErrors === null) {
                  vErrors = [err44];
                } else {
                  vErrors.push(err44);
                }
                errors++;
              }
            }
            let i1 = data10.length;
            let j0;
            if (i1 > 1) {
              const indices0 = {};
              for (; i1--; ) {
                let item0 = data10[i1];
                if (typeof item0 !== "string") {
                  continue;
                }
                if (typeof indices0[item0] == "number") {
                  j0 = indices0[item0];
                  const err45 = {
                    instancePath: instancePath + "/from-artifact/events",
                    schemaPath: "#/$defs/fromArtifact/properties/events/uniqueItems",
                    keyword: "uniqueItems",
                    params: { i: i1, j: j0 },
                    message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)",
                    schema: true,
                    parentSchema: schema50.properties.events,
                    data: data10
                  };
                  if (vErrors === null) {
                    vErrors = [err45];
                  } else {
                    vErrors.push(err45);
                  }
                  errors++;
                  break;
                }
                indices0[item0] = i1;
              }
            }
          } else {
            const err46 = {
              instancePath: instancePath + "/from-artifact/events",
              schemaPath: "#/$defs/fromArtifact/properties/events/type",
              keyword: "type",
              params: { type: "array" },
              message: "must be array",
              schema: schema50.properties.events.type,
              parentSchema: schema50.properties.events,
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err46];
            } else {
              vErrors.push(err46);
            }
            errors++;
          }
        }
        if (data4.repository !== void 0) {
          let data12 = data4.repository;
          if (typeof data12 === "string") {
            if (!pattern24.test(data12)) {
              const err47 = {
                instancePath: instancePath + "/from-artifact/repository",
                schemaPath: "#/$defs/fromArtifact/properties/repository/pattern",
                keyword: "pattern",
                params: { pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" },
                message: 'must match pattern "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"',
                schema: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
                parentSchema: schema50.properties.repository,
                data: data12
              };
              if (vErrors === null) {
                vErrors = [err47];
              } else {
                vErrors.push(err47);
              }
              errors++;
            }
          } else {
            const err48 = {
              instancePath: instancePath + "/from-artifact/repository",
              schemaPath: "#/$defs/fromArtifact/properties/repository/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema50.properties.repository.type,
              parentSchema: schema50.properties.repository,
              data: data12
            };
            if (vErrors === null) {
              vErrors = [err48];
            } else {
              vErrors.push(err48);
            }
            errors++;
          }
        }
        if (data4["allow-forks"] !== void 0) {
          let data13 = data4["allow-forks"];
          if (typeof data13 !== "boolean") {
            const err49 = {
              instancePath: instancePath + "/from-artifact/allow-forks",
              schemaPath: "#/$defs/fromArtifact/properties/allow-forks/type",
              keyword: "type",
              params: { type: "boolean" },
              message: "must be boolean",
              schema: schema50.properties["allow-forks"].type,
              parentSchema: schema50.properties["allow-forks"],
              data: data13
            };
            if (vErrors === null) {
              vErrors = [err49];
            } else {
              vErrors.push(err49);
            }
            errors++;
          }
        }
      } else {
        const err50 = {
          instancePath: instancePath + "/from-artifact",
          schemaPath: "#/$defs/fromArtifact/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema50.type,
          parentSchema: schema50,
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err50];
        } else {
          vErrors.push(err50);
        }
        errors++;
      }
    }
    if (data["from-registry"] !== void 0) {
      if (!validate26(data["from-registry"], {
        instancePath: instancePath + "/from-registry",
        parentData: data,
        parentDataProperty: "from-registry",
        rootData,
        dynamicAnchors
      })) {
        vErrors = vErrors === null ? validate26.errors : vErrors.concat(validate26.errors);
        errors = vErrors.length;
      }
    }
    if (data.individualize !== void 0) {
      let data15 = data.individualize;
      if (typeof data15 !== "boolean") {
        const err51 = {
          instancePath: instancePath + "/individualize",
          schemaPath: "#/properties/individualize/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema46.properties.individualize.type,
          parentSchema: schema46.properties.individualize,
          data: data15
        };
        if (vErrors === null) {
          vErrors = [err51];
        } else {
          vErrors.push(err51);
        }
        errors++;
      }
    }
    if (data["identity-env"] !== void 0) {
      let data16 = data["identity-env"];
      if (typeof data16 !== "string") {
        const err52 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data16
        };
        if (vErrors === null) {
          vErrors = [err52];
        } else {
          vErrors.push(err52);
        }
        errors++;
      }
      if (typeof data16 === "string") {
        if (!pattern6.test(data16)) {
          const err53 = {
            instancePath: instancePath + "/identity-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data16
          };
          if (vErrors === null) {
            vErrors = [err53];
          } else {
            vErrors.push(err53);
          }
          errors++;
        }
      } else {
        const err54 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data16
        };
        if (vErrors === null) {
          vErrors = [err54];
        } else {
          vErrors.push(err54);
        }
        errors++;
      }
      if (typeof data16 !== "string") {
        const err55 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data16
        };
        if (vErrors === null) {
          vErrors = [err55];
        } else {
          vErrors.push(err55);
        }
        errors++;
      }
      const _errs82 = errors;
      const _errs83 = errors;
      if (typeof data16 === "string") {
        if (!pattern7.test(data16)) {
          const err56 = {};
          if (vErrors === null) {
            vErrors = [err56];
          } else {
            vErrors.push(err56);
          }
          errors++;
        }
      }
      var valid20 = _errs83 === errors;
      if (valid20) {
        const err57 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data16
        };
        if (vErrors === null) {
          vErrors = [err57];
        } else {
          vErrors.push(err57);
        }
        errors++;
      } else {
        errors = _errs82;
        if (vErrors !== null) {
          if (_errs82) {
            vErrors.length = _errs82;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data["max-age"] !== void 0) {
      let data17 = data["max-age"];
      if (typeof data17 === "string") {
        if (!pattern8.test(data17)) {
          const err58 = {
            instancePath: instancePath + "/max-age",
            schemaPath: "#/$defs/maxAge/pattern",
            keyword: "pattern",
            params: { pattern: "^[1-9][0-9]{0,5}[dh]$" },
            message: 'must match pattern "^[1-9][0-9]{0,5}[dh]$"',
            schema: "^[1-9][0-9]{0,5}[dh]$",
            parentSchema: schema35,
            data: data17
          };
          if (vErrors === null) {
            vErrors = [err58];
          } else {
            vErrors.push(err58);
          }
          errors++;
        }
      } else {
        const err59 = {
          instancePath: instancePath + "/max-age",
          schemaPath: "#/$defs/maxAge/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema35.type,
          parentSchema: schema35,
          data: data17
        };
        if (vErrors === null) {
          vErrors = [err59];
        } else {
          vErrors.push(err59);
        }
        errors++;
      }
    }
    if (data["on-refused"] !== void 0) {
      let data18 = data["on-refused"];
      if (!(data18 === "fail" || data18 === "skip")) {
        const err60 = {
          instancePath: instancePath + "/on-refused",
          schemaPath: "#/properties/on-refused/enum",
          keyword: "enum",
          params: { allowedValues: schema46.properties["on-refused"].enum },
          message: "must be equal to one of the allowed values",
          schema: schema46.properties["on-refused"].enum,
          parentSchema: schema46.properties["on-refused"],
          data: data18
        };
        if (vErrors === null) {
          vErrors = [err60];
        } else {
          vErrors.push(err60);
        }
        errors++;
      }
    }
    if (data.include !== void 0) {
      let data19 = data.include;
      if (Array.isArray(data19)) {
        if (data19.length < 1) {
          const err61 = {
            instancePath: instancePath + "/include",
            schemaPath: "#/$defs/include/minItems",
            keyword: "minItems",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 items",
            schema: 1,
            parentSchema: schema57,
            data: data19
          };
          if (vErrors === null) {
            vErrors = [err61];
          } else {
            vErrors.push(err61);
          }
          errors++;
        }
        const len1 = data19.length;
        for (let i2 = 0; i2 < len1; i2++) {
          let data20 = data19[i2];
          if (typeof data20 === "string") {
            if (func2(data20) < 1) {
              const err62 = {
                instancePath: instancePath + "/include/" + i2,
                schemaPath: "#/$defs/include/items/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema57.items,
                data: data20
              };
              if (vErrors === null) {
                vErrors = [err62];
              } else {
                vErrors.push(err62);
              }
              errors++;
            }
          } else {
            const err63 = {
              instancePath: instancePath + "/include/" + i2,
              schemaPath: "#/$defs/include/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema57.items.type,
              parentSchema: schema57.items,
              data: data20
            };
            if (vErrors === null) {
              vErrors = [err63];
            } else {
              vErrors.push(err63);
            }
            errors++;
          }
        }
      } else {
        const err64 = {
          instancePath: instancePath + "/include",
          schemaPath: "#/$defs/include/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema57.type,
          parentSchema: schema57,
          data: data19
        };
        if (vErrors === null) {
          vErrors = [err64];
        } else {
          vErrors.push(err64);
        }
        errors++;
      }
    }
    if (data["machine-key-env"] !== void 0) {
      let data21 = data["machine-key-env"];
      if (typeof data21 !== "string") {
        const err65 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data21
        };
        if (vErrors === null) {
          vErrors = [err65];
        } else {
          vErrors.push(err65);
        }
        errors++;
      }
      if (typeof data21 === "string") {
        if (!pattern6.test(data21)) {
          const err66 = {
            instancePath: instancePath + "/machine-key-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data21
          };
          if (vErrors === null) {
            vErrors = [err66];
          } else {
            vErrors.push(err66);
          }
          errors++;
        }
      } else {
        const err67 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data21
        };
        if (vErrors === null) {
          vErrors = [err67];
        } else {
          vErrors.push(err67);
        }
        errors++;
      }
      if (typeof data21 !== "string") {
        const err68 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data21
        };
        if (vErrors === null) {
          vErrors = [err68];
        } else {
          vErrors.push(err68);
        }
        errors++;
      }
      const _errs103 = errors;
      const _errs104 = errors;
      if (typeof data21 === "string") {
        if (!pattern7.test(data21)) {
          const err69 = {};
          if (vErrors === null) {
            vErrors = [err69];
          } else {
            vErrors.push(err69);
          }
          errors++;
        }
      }
      var valid27 = _errs104 === errors;
      if (valid27) {
        const err70 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data21
        };
        if (vErrors === null) {
          vErrors = [err70];
        } else {
          vErrors.push(err70);
        }
        errors++;
      } else {
        errors = _errs103;
        if (vErrors !== null) {
          if (_errs103) {
            vErrors.length = _errs103;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data.lease !== void 0) {
      let data22 = data.lease;
      if (typeof data22 === "string") {
        if (!pattern34.test(data22)) {
          const err71 = {
            instancePath: instancePath + "/lease",
            schemaPath: "#/$defs/lease/pattern",
            keyword: "pattern",
            params: { pattern: "^[1-9][0-9]{0,5}[smhd]$" },
            message: 'must match pattern "^[1-9][0-9]{0,5}[smhd]$"',
            schema: "^[1-9][0-9]{0,5}[smhd]$",
            parentSchema: schema59,
            data: data22
          };
          if (vErrors === null) {
            vErrors = [err71];
          } else {
            vErrors.push(err71);
          }
          errors++;
        }
      } else {
        const err72 = {
          instancePath: instancePath + "/lease",
          schemaPath: "#/$defs/lease/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema59.type,
          parentSchema: schema59,
          data: data22
        };
        if (vErrors === null) {
          vErrors = [err72];
        } else {
          vErrors.push(err72);
        }
        errors++;
      }
    }
    if (data["release-on-exit"] !== void 0) {
      let data23 = data["release-on-exit"];
      if (typeof data23 !== "boolean") {
        const err73 = {
          instancePath: instancePath + "/release-on-exit",
          schemaPath: "#/properties/release-on-exit/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema46.properties["release-on-exit"].type,
          parentSchema: schema46.properties["release-on-exit"],
          data: data23
        };
        if (vErrors === null) {
          vErrors = [err73];
        } else {
          vErrors.push(err73);
        }
        errors++;
      }
    }
    if (data["roll-back-interrupted"] !== void 0) {
      let data24 = data["roll-back-interrupted"];
      if (typeof data24 !== "boolean") {
        const err74 = {
          instancePath: instancePath + "/roll-back-interrupted",
          schemaPath: "#/$defs/rollBackInterrupted/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema45.type,
          parentSchema: schema45,
          data: data24
        };
        if (vErrors === null) {
          vErrors = [err74];
        } else {
          vErrors.push(err74);
        }
        errors++;
      }
    }
  } else {
    const err75 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema46.type,
      parentSchema: schema46,
      data
    };
    if (vErrors === null) {
      vErrors = [err75];
    } else {
      vErrors.push(err75);
    }
    errors++;
  }
  validate25.errors = vErrors;
  return errors === 0;
}
validate25.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
var schema61 = {
  description: "The restore drill: check a backup as a restore would (signature and age, digests, decryption, names, every license's signature) without writing anything or calling the service. Needs `path`, `from-artifact` or `from-registry`.",
  type: "object",
  additionalProperties: false,
  allOf: [
    {
      anyOf: [{ required: ["path"] }, { required: ["from-artifact"] }, { required: ["from-registry"] }],
      "x-message": "needs `path` (a backup folder), `from-artifact` (an artifact holding one) or `from-registry` (a registry reference)"
    },
    {
      not: { required: ["from-artifact", "from-registry"] },
      "x-message": "takes `from-artifact` or `from-registry`, not both"
    }
  ],
  properties: {
    path: {
      description: "The backup folder to verify. Not used with `from-artifact` or `from-registry`.",
      type: "string",
      minLength: 1
    },
    "from-artifact": { $ref: "#/$defs/fromArtifact" },
    "from-registry": { $ref: "#/$defs/fromRegistry" },
    "identity-env": {
      description: "Name of the environment variable holding the age identity for an encrypted backup.",
      $ref: "#/$defs/envName"
    },
    "max-age": { $ref: "#/$defs/maxAge" }
  }
};
function validate29(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate29.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  const _errs2 = errors;
  let valid1 = false;
  const _errs3 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.path === void 0) {
      const err0 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/0/required",
        keyword: "required",
        params: { missingProperty: "path" },
        message: "must have required property 'path'",
        schema: schema61.allOf[0].anyOf[0].required,
        parentSchema: schema61.allOf[0].anyOf[0],
        data
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
  }
  var _valid0 = _errs3 === errors;
  valid1 = valid1 || _valid0;
  const _errs4 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data["from-artifact"] === void 0) {
      const err1 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/1/required",
        keyword: "required",
        params: { missingProperty: "from-artifact" },
        message: "must have required property 'from-artifact'",
        schema: schema61.allOf[0].anyOf[1].required,
        parentSchema: schema61.allOf[0].anyOf[1],
        data
      };
      if (vErrors === null) {
        vErrors = [err1];
      } else {
        vErrors.push(err1);
      }
      errors++;
    }
  }
  var _valid0 = _errs4 === errors;
  valid1 = valid1 || _valid0;
  const _errs5 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data["from-registry"] === void 0) {
      const err2 = {
        instancePath,
        schemaPath: "#/allOf/0/anyOf/2/required",
        keyword: "required",
        params: { missingProperty: "from-registry" },
        message: "must have required property 'from-registry'",
        schema: schema61.allOf[0].anyOf[2].required,
        parentSchema: schema61.allOf[0].anyOf[2],
        data
      };
      if (vErrors === null) {
        vErrors = [err2];
      } else {
        vErrors.push(err2);
      }
      errors++;
    }
  }
  var _valid0 = _errs5 === errors;
  valid1 = valid1 || _valid0;
  if (!valid1) {
    const err3 = {
      instancePath,
      schemaPath: "#/allOf/0/anyOf",
      keyword: "anyOf",
      params: {},
      message: "must match a schema in anyOf",
      schema: schema61.allOf[0].anyOf,
      parentSchema: schema61.allOf[0],
      data
    };
    if (vErrors === null) {
      vErrors = [err3];
    } else {
      vErrors.push(err3);
    }
    errors++;
  } else {
    errors = _errs2;
    if (vErrors !== null) {
      if (_errs2) {
        vErrors.length = _errs2;
      } else {
        vErrors = null;
      }
    }
  }
  const _errs8 = errors;
  const _errs9 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    let missing0;
    if (data["from-artifact"] === void 0 && (missing0 = "from-artifact") || data["from-registry"] === void 0 && (missing0 = "from-registry")) {
      const err4 = {};
      if (vErrors === null) {
        vErrors = [err4];
      } else {
        vErrors.push(err4);
      }
      errors++;
    }
  }
  var valid2 = _errs9 === errors;
  if (valid2) {
    const err5 = {
      instancePath,
      schemaPath: "#/allOf/1/not",
      keyword: "not",
      params: {},
      message: "must NOT be valid",
      schema: schema61.allOf[1].not,
      parentSchema: schema61.allOf[1],
      data
    };
    if (vErrors === null) {
      vErrors = [err5];
    } else {
      vErrors.push(err5);
    }
    errors++;
  } else {
    errors = _errs8;
    if (vErrors !== null) {
      if (_errs8) {
        vErrors.length = _errs8;
      } else {
        vErrors = null;
      }
    }
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!(key0 === "path" || key0 === "from-artifact" || key0 === "from-registry" || key0 === "identity-env" || key0 === "max-age")) {
        const err6 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema61,
          data
        };
        if (vErrors === null) {
          vErrors = [err6];
        } else {
          vErrors.push(err6);
        }
        errors++;
      }
    }
    if (data.path !== void 0) {
      let data0 = data.path;
      if (typeof data0 === "string") {
        if (func2(data0) < 1) {
          const err7 = {
            instancePath: instancePath + "/path",
            schemaPath: "#/properties/path/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema61.properties.path,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err7];
          } else {
            vErrors.push(err7);
          }
          errors++;
        }
      } else {
        const err8 = {
          instancePath: instancePath + "/path",
          schemaPath: "#/properties/path/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema61.properties.path.type,
          parentSchema: schema61.properties.path,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err8];
        } else {
          vErrors.push(err8);
        }
        errors++;
      }
    }
    if (data["from-artifact"] !== void 0) {
      let data1 = data["from-artifact"];
      const _errs18 = errors;
      const _errs19 = errors;
      const _errs20 = errors;
      let valid7 = false;
      const _errs21 = errors;
      if (data1 && typeof data1 == "object" && !Array.isArray(data1)) {
        let missing1;
        if (data1["run-id"] === void 0 && (missing1 = "run-id") || data1.workflow === void 0 && (missing1 = "workflow")) {
          const err9 = {};
          if (vErrors === null) {
            vErrors = [err9];
          } else {
            vErrors.push(err9);
          }
          errors++;
        }
      }
      var _valid1 = _errs21 === errors;
      valid7 = valid7 || _valid1;
      const _errs22 = errors;
      if (data1 && typeof data1 == "object" && !Array.isArray(data1)) {
        let missing2;
        if (data1["run-id"] === void 0 && (missing2 = "run-id") || data1["artifact-id"] === void 0 && (missing2 = "artifact-id")) {
          const err10 = {};
          if (vErrors === null) {
            vErrors = [err10];
          } else {
            vErrors.push(err10);
          }
          errors++;
        }
      }
      var _valid1 = _errs22 === errors;
      valid7 = valid7 || _valid1;
      const _errs23 = errors;
      if (data1 && typeof data1 == "object" && !Array.isArray(data1)) {
        let missing3;
        if (data1.workflow === void 0 && (missing3 = "workflow") || data1["artifact-id"] === void 0 && (missing3 = "artifact-id")) {
          const err11 = {};
          if (vErrors === null) {
            vErrors = [err11];
          } else {
            vErrors.push(err11);
          }
          errors++;
        }
      }
      var _valid1 = _errs23 === errors;
      valid7 = valid7 || _valid1;
      if (!valid7) {
        const err12 = {};
        if (vErrors === null) {
          vErrors = [err12];
        } else {
          vErrors.push(err12);
        }
        errors++;
      } else {
        errors = _errs20;
        if (vErrors !== null) {
          if (_errs20) {
            vErrors.length = _errs20;
          } else {
            vErrors = null;
          }
        }
      }
      var valid6 = _errs19 === errors;
      if (valid6) {
        const err13 = {
          instancePath: instancePath + "/from-artifact",
          schemaPath: "#/$defs/fromArtifact/allOf/0/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema50.allOf[0].not,
          parentSchema: schema50.allOf[0],
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err13];
        } else {
          vErrors.push(err13);
        }
        errors++;
      } else {
        errors = _errs18;
        if (vErrors !== null) {
          if (_errs18) {
            vErrors.length = _errs18;
          } else {
            vErrors = null;
          }
        }
      }
      if (data1 && typeof data1 == "object" && !Array.isArray(data1)) {
        if (data1.branch !== void 0) {
          if (data1.workflow === void 0) {
            const err14 = {
              instancePath: instancePath + "/from-artifact",
              schemaPath: "#/$defs/fromArtifact/allOf/1/dependentRequired",
              keyword: "dependentRequired",
              params: { property: "branch", missingProperty: "workflow", depsCount: 1, deps: "workflow" },
              message: "must have property workflow when property branch is present",
              schema: schema50.allOf[1].dependentRequired,
              parentSchema: schema50.allOf[1],
              data: data1
            };
            if (vErrors === null) {
              vErrors = [err14];
            } else {
              vErrors.push(err14);
            }
            errors++;
          }
        }
        if (data1.events !== void 0) {
          if (data1.workflow === void 0) {
            const err15 = {
              instancePath: instancePath + "/from-artifact",
              schemaPath: "#/$defs/fromArtifact/allOf/1/dependentRequired",
              keyword: "dependentRequired",
              params: { property: "events", missingProperty: "workflow", depsCount: 1, deps: "workflow" },
              message: "must have property workflow when property events is present",
              schema: schema50.allOf[1].dependentRequired,
              parentSchema: schema50.allOf[1],
              data: data1
            };
            if (vErrors === null) {
              vErrors = [err15];
            } else {
              vErrors.push(err15);
            }
            errors++;
          }
        }
      }
      if (data1 && typeof data1 == "object" && !Array.isArray(data1)) {
        if (data1.name === void 0) {
          const err16 = {
            instancePath: instancePath + "/from-artifact",
            schemaPath: "#/$defs/fromArtifact/required",
            keyword: "required",
            params: { missingProperty: "name" },
            message: "must have required property 'name'",
            schema: schema50.required,
            parentSchema: schema50,
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err16];
          } else {
            vErrors.push(err16);
          }
          errors++;
        }
        for (const key1 in data1) {
          if (!(key1 === "name" || key1 === "run-id" || key1 === "artifact-id" || key1 === "workflow" || key1 === "branch" || key1 === "events" || key1 === "repository" || key1 === "allow-forks")) {
            const err17 = {
              instancePath: instancePath + "/from-artifact",
              schemaPath: "#/$defs/fromArtifact/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key1 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema50,
              data: data1
            };
            if (vErrors === null) {
              vErrors = [err17];
            } else {
              vErrors.push(err17);
            }
            errors++;
          }
        }
        if (data1.name !== void 0) {
          let data2 = data1.name;
          if (typeof data2 === "string") {
            if (func2(data2) < 1) {
              const err18 = {
                instancePath: instancePath + "/from-artifact/name",
                schemaPath: "#/$defs/fromArtifact/properties/name/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema50.properties.name,
                data: data2
              };
              if (vErrors === null) {
                vErrors = [err18];
              } else {
                vErrors.push(err18);
              }
              errors++;
            }
            if (!pattern14.test(data2)) {
              const err19 = {
                instancePath: instancePath + "/from-artifact/name",
                schemaPath: "#/$defs/fromArtifact/properties/name/pattern",
                keyword: "pattern",
                params: { pattern: '^[^"\\\\/:<>|*?\\r\\n]+$' },
                message: 'must match pattern "^[^"\\\\/:<>|*?\\r\\n]+$"',
                schema: '^[^"\\\\/:<>|*?\\r\\n]+$',
                parentSchema: schema50.properties.name,
                data: data2
              };
              if (vErrors === null) {
                vErrors = [err19];
              } else {
                vErrors.push(err19);
              }
              errors++;
            }
          } else {
            const err20 = {
              instancePath: instancePath + "/from-artifact/name",
              schemaPath: "#/$defs/fromArtifact/properties/name/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema50.properties.name.type,
              parentSchema: schema50.properties.name,
              data: data2
            };
            if (vErrors === null) {
              vErrors = [err20];
            } else {
              vErrors.push(err20);
            }
            errors++;
          }
        }
        if (data1["run-id"] !== void 0) {
          let data3 = data1["run-id"];
          if (!(typeof data3 == "number" && !(data3 % 1) && !isNaN(data3) && isFinite(data3))) {
            const err21 = {
              instancePath: instancePath + "/from-artifact/run-id",
              schemaPath: "#/$defs/fromArtifact/properties/run-id/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema50.properties["run-id"].type,
              parentSchema: schema50.properties["run-id"],
              data: data3
            };
            if (vErrors === null) {
              vErrors = [err21];
            } else {
              vErrors.push(err21);
            }
            errors++;
          }
          if (typeof data3 == "number" && isFinite(data3)) {
            if (data3 < 1 || isNaN(data3)) {
              const err22 = {
                instancePath: instancePath + "/from-artifact/run-id",
                schemaPath: "#/$defs/fromArtifact/properties/run-id/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema50.properties["run-id"],
                data: data3
              };
              if (vErrors === null) {
                vErrors = [err22];
              } else {
                vErrors.push(err22);
              }
              errors++;
            }
          }
        }
        if (data1["artifact-id"] !== void 0) {
          let data4 = data1["artifact-id"];
          if (!(typeof data4 == "number" && !(data4 % 1) && !isNaN(data4) && isFinite(data4))) {
            const err23 = {
              instancePath: instancePath + "/from-artifact/artifact-id",
              schemaPath: "#/$defs/fromArtifact/properties/artifact-id/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema50.properties["artifact-id"].type,
              parentSchema: schema50.properties["artifact-id"],
              data: data4
            };
            if (vErrors === null) {
              vErrors = [err23];
            } else {
              vErrors.push(err23);
            }
            errors++;
          }
          if (typeof data4 == "number" && isFinite(data4)) {
            if (data4 < 1 || isNaN(data4)) {
              const err24 = {
                instancePath: instancePath + "/from-artifact/artifact-id",
                schemaPath: "#/$defs/fromArtifact/properties/artifact-id/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema50.properties["artifact-id"],
                data: data4
              };
              if (vErrors === null) {
                vErrors = [err24];
              } else {
                vErrors.push(err24);
              }
              errors++;
            }
          }
        }
        if (data1.workflow !== void 0) {
          let data5 = data1.workflow;
          if (typeof data5 !== "string" && !(typeof data5 == "number" && !(data5 % 1) && !isNaN(data5) && isFinite(data5))) {
            const err25 = {
              instancePath: instancePath + "/from-artifact/workflow",
              schemaPath: "#/$defs/fromArtifact/properties/workflow/type",
              keyword: "type",
              params: { type: schema50.properties.workflow.type },
              message: "must be string,integer",
              schema: schema50.properties.workflow.type,
              parentSchema: schema50.properties.workflow,
              data: data5
            };
            if (vErrors === null) {
              vErrors = [err25];
            } else {
              vErrors.push(err25);
            }
            errors++;
          }
          if (typeof data5 === "string") {
            if (func2(data5) < 1) {
              const err26 = {
                instancePath: instancePath + "/from-artifact/workflow",
                schemaPath: "#/$defs/fromArtifact/properties/workflow/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema50.properties.workflow,
                data: data5
              };
              if (vErrors === null) {
                vErrors = [err26];
              } else {
                vErrors.push(err26);
              }
              errors++;
            }
          }
        }
        if (data1.branch !== void 0) {
          let data6 = data1.branch;
          if (typeof data6 === "string") {
            if (func2(data6) < 1) {
              const err27 = {
                instancePath: instancePath + "/from-artifact/branch",
                schemaPath: "#/$defs/fromArtifact/properties/branch/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema50.properties.branch,
                data: data6
              };
              if (vErrors === null) {
                vErrors = [err27];
              } else {
                vErrors.push(err27);
              }
              errors++;
            }
          } else {
            const err28 = {
              instancePath: instancePath + "/from-artifact/branch",
              schemaPath: "#/$defs/fromArtifact/properties/branch/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema50.properties.branch.type,
              parentSchema: schema50.properties.branch,
              data: data6
            };
            if (vErrors === null) {
              vErrors = [err28];
            } else {
              vErrors.push(err28);
            }
            errors++;
          }
        }
        if (data1.events !== void 0) {
          let data7 = data1.events;
          if (Array.isArray(data7)) {
            if (data7.length < 1) {
              const err29 = {
                instancePath: instancePath + "/from-artifact/events",
                schemaPath: "#/$defs/fromArtifact/properties/events/minItems",
                keyword: "minItems",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 items",
                schema: 1,
                parentSchema: schema50.properties.events,
                data: data7
              };
              if (vErrors === null) {
                vErrors = [err29];
              } else {
                vErrors.push(err29);
              }
              errors++;
            }
            const len0 = data7.length;
            for (let i0 = 0; i0 < len0; i0++) {
              let data8 = data7[i0];
              if (typeof data8 === "string") {
                if (!pattern23.test(data8)) {
                  const err30 = {
                    instancePath: instancePath + "/from-artifact/events/" + i0,
                    schemaPath: "#/$defs/fromArtifact/properties/events/items/pattern",
                    keyword: "pattern",
                    params: { pattern: "^[a-z_]+$" },
                    message: 'must match pattern "^[a-z_]+$"',
                    schema: "^[a-z_]+$",
                    parentSchema: schema50.properties.events.items,
                    data: data8
                  };
                  if (vErrors === null) {
                    vErrors = [err30];
                  } else {
                    vErrors.push(err30);
                  }
                  errors++;
                }
              } else {
                const err31 = {
                  instancePath: instancePath + "/from-artifact/events/" + i0,
                  schemaPath: "#/$defs/fromArtifact/properties/events/items/type",
                  keyword: "type",
                  params: { type: "string" },
                  message: "must be string",
                  schema: schema50.properties.events.items.type,
                  parentSchema: schema50.properties.events.items,
                  data: data8
                };
                if (vErrors === null) {
                  vErrors = [err31];
                } else {
                  vErrors.push(err31);
                }
                errors++;
              }
            }
            let i1 = data7.length;
            let j0;
            if (i1 > 1) {
              const indices0 = {};
              for (; i1--; ) {
                let item0 = data7[i1];
                if (typeof item0 !== "string") {
                  continue;
                }
                if (typeof indices0[item0] == "number") {
                  j0 = indices0[item0];
                  const err32 = {
                    instancePath: instancePath + "/from-artifact/events",
                    schemaPath: "#/$defs/fromArtifact/properties/events/uniqueItems",
                    keyword: "uniqueItems",
                    params: { i: i1, j: j0 },
                    message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)",
                    schema: true,
                    parentSchema: schema50.properties.events,
                    data: data7
                  };
                  if (vErrors === null) {
                    vErrors = [err32];
                  } else {
                    vErrors.push(err32);
                  }
                  errors++;
                  break;
                }
                indices0[item0] = i1;
              }
            }
          } else {
            const err33 = {
              instancePath: instancePath + "/from-artifact/events",
              schemaPath: "#/$defs/fromArtifact/properties/events/type",
              keyword: "type",
              params: { type: "array" },
              message: "must be array",
              schema: schema50.properties.events.type,
              parentSchema: schema50.properties.events,
              data: data7
            };
            if (vErrors === null) {
              vErrors = [err33];
            } else {
              vErrors.push(err33);
            }
            errors++;
          }
        }
        if (data1.repository !== void 0) {
          let data9 = data1.repository;
          if (typeof data9 === "string") {
            if (!pattern24.test(data9)) {
              const err34 = {
                instancePath: instancePath + "/from-artifact/repository",
                schemaPath: "#/$defs/fromArtifact/properties/repository/pattern",
                keyword: "pattern",
                params: { pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" },
                message: 'must match pattern "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"',
                schema: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
                parentSchema: schema50.properties.repository,
                data: data9
              };
              if (vErrors === null) {
                vErrors = [err34];
              } else {
                vErrors.push(err34);
              }
              errors++;
            }
          } else {
            const err35 = {
              instancePath: instancePath + "/from-artifact/repository",
              schemaPath: "#/$defs/fromArtifact/properties/repository/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema50.properties.repository.type,
              parentSchema: schema50.properties.repository,
              data: data9
            };
            if (vErrors === null) {
              vErrors = [err35];
            } else {
              vErrors.push(err35);
            }
            errors++;
          }
        }
        if (data1["allow-forks"] !== void 0) {
          let data10 = data1["allow-forks"];
          if (typeof data10 !== "boolean") {
            const err36 = {
              instancePath: instancePath + "/from-artifact/allow-forks",
              schemaPath: "#/$defs/fromArtifact/properties/allow-forks/type",
              keyword: "type",
              params: { type: "boolean" },
              message: "must be boolean",
              schema: schema50.properties["allow-forks"].type,
              parentSchema: schema50.properties["allow-forks"],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err36];
            } else {
              vErrors.push(err36);
            }
            errors++;
          }
        }
      } else {
        const err37 = {
          instancePath: instancePath + "/from-artifact",
          schemaPath: "#/$defs/fromArtifact/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema50.type,
          parentSchema: schema50,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err37];
        } else {
          vErrors.push(err37);
        }
        errors++;
      }
    }
    if (data["from-registry"] !== void 0) {
      if (!validate26(data["from-registry"], {
        instancePath: instancePath + "/from-registry",
        parentData: data,
        parentDataProperty: "from-registry",
        rootData,
        dynamicAnchors
      })) {
        vErrors = vErrors === null ? validate26.errors : vErrors.concat(validate26.errors);
        errors = vErrors.length;
      }
    }
    if (data["identity-env"] !== void 0) {
      let data12 = data["identity-env"];
      if (typeof data12 !== "string") {
        const err38 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data12
        };
        if (vErrors === null) {
          vErrors = [err38];
        } else {
          vErrors.push(err38);
        }
        errors++;
      }
      if (typeof data12 === "string") {
        if (!pattern6.test(data12)) {
          const err39 = {
            instancePath: instancePath + "/identity-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data12
          };
          if (vErrors === null) {
            vErrors = [err39];
          } else {
            vErrors.push(err39);
          }
          errors++;
        }
      } else {
        const err40 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data12
        };
        if (vErrors === null) {
          vErrors = [err40];
        } else {
          vErrors.push(err40);
        }
        errors++;
      }
      if (typeof data12 !== "string") {
        const err41 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data12
        };
        if (vErrors === null) {
          vErrors = [err41];
        } else {
          vErrors.push(err41);
        }
        errors++;
      }
      const _errs58 = errors;
      const _errs59 = errors;
      if (typeof data12 === "string") {
        if (!pattern7.test(data12)) {
          const err42 = {};
          if (vErrors === null) {
            vErrors = [err42];
          } else {
            vErrors.push(err42);
          }
          errors++;
        }
      }
      var valid14 = _errs59 === errors;
      if (valid14) {
        const err43 = {
          instancePath: instancePath + "/identity-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data12
        };
        if (vErrors === null) {
          vErrors = [err43];
        } else {
          vErrors.push(err43);
        }
        errors++;
      } else {
        errors = _errs58;
        if (vErrors !== null) {
          if (_errs58) {
            vErrors.length = _errs58;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data["max-age"] !== void 0) {
      let data13 = data["max-age"];
      if (typeof data13 === "string") {
        if (!pattern8.test(data13)) {
          const err44 = {
            instancePath: instancePath + "/max-age",
            schemaPath: "#/$defs/maxAge/pattern",
            keyword: "pattern",
            params: { pattern: "^[1-9][0-9]{0,5}[dh]$" },
            message: 'must match pattern "^[1-9][0-9]{0,5}[dh]$"',
            schema: "^[1-9][0-9]{0,5}[dh]$",
            parentSchema: schema35,
            data: data13
          };
          if (vErrors === null) {
            vErrors = [err44];
          } else {
            vErrors.push(err44);
          }
          errors++;
        }
      } else {
        const err45 = {
          instancePath: instancePath + "/max-age",
          schemaPath: "#/$defs/maxAge/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema35.type,
          parentSchema: schema35,
          data: data13
        };
        if (vErrors === null) {
          vErrors = [err45];
        } else {
          vErrors.push(err45);
        }
        errors++;
      }
    }
  } else {
    const err46 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema61.type,
      parentSchema: schema61,
      data
    };
    if (vErrors === null) {
      vErrors = [err46];
    } else {
      vErrors.push(err46);
    }
    errors++;
  }
  validate29.errors = vErrors;
  return errors === 0;
}
validate29.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
var schema65 = {
  description: "Give the store's licenses back to the license service (protocol v1.1), then remove the files from the store. From protocol v1.2 a release stops the copies' renewals, and each slot comes back when the copy's lease ends (at once under a policy that trusts releases).",
  type: "object",
  additionalProperties: false,
  properties: {
    store: { $ref: "#/$defs/store" },
    pattern: { $ref: "#/$defs/pattern" },
    include: { $ref: "#/$defs/include" },
    "machine-key-env": {
      description: "Name of the environment variable holding this machine's key (an Ed25519 private key as a JWK, or an OpenSSH Ed25519 private key without passphrase). With it, re-provisioned runners are the same machine and take no new slot; the key is never written to disk and the store needs no `individualize`.",
      $ref: "#/$defs/envName"
    },
    "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
  }
};
function validate32(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate32.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!(key0 === "store" || key0 === "pattern" || key0 === "include" || key0 === "machine-key-env" || key0 === "roll-back-interrupted")) {
        const err0 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema65,
          data
        };
        if (vErrors === null) {
          vErrors = [err0];
        } else {
          vErrors.push(err0);
        }
        errors++;
      }
    }
    if (data.store !== void 0) {
      let data0 = data.store;
      if (typeof data0 === "string") {
        if (func2(data0) < 1) {
          const err1 = {
            instancePath: instancePath + "/store",
            schemaPath: "#/$defs/store/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema32,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err1];
          } else {
            vErrors.push(err1);
          }
          errors++;
        }
      } else {
        const err2 = {
          instancePath: instancePath + "/store",
          schemaPath: "#/$defs/store/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema32.type,
          parentSchema: schema32,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err2];
        } else {
          vErrors.push(err2);
        }
        errors++;
      }
    }
    if (data.pattern !== void 0) {
      let data1 = data.pattern;
      if (typeof data1 === "string") {
        if (func2(data1) < 1) {
          const err3 = {
            instancePath: instancePath + "/pattern",
            schemaPath: "#/$defs/pattern/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema33,
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err3];
          } else {
            vErrors.push(err3);
          }
          errors++;
        }
      } else {
        const err4 = {
          instancePath: instancePath + "/pattern",
          schemaPath: "#/$defs/pattern/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema33.type,
          parentSchema: schema33,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err4];
        } else {
          vErrors.push(err4);
        }
        errors++;
      }
    }
    if (data.include !== void 0) {
      let data2 = data.include;
      if (Array.isArray(data2)) {
        if (data2.length < 1) {
          const err5 = {
            instancePath: instancePath + "/include",
            schemaPath: "#/$defs/include/minItems",
            keyword: "minItems",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 items",
            schema: 1,
            parentSchema: schema57,
            data: data2
          };
          if (vErrors === null) {
            vErrors = [err5];
          } else {
            vErrors.push(err5);
          }
          errors++;
        }
        const len0 = data2.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data3 = data2[i0];
          if (typeof data3 === "string") {
            if (func2(data3) < 1) {
              const err6 = {
                instancePath: instancePath + "/include/" + i0,
                schemaPath: "#/$defs/include/items/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema57.items,
                data: data3
              };
              if (vErrors === null) {
                vErrors = [err6];
              } else {
                vErrors.push(err6);
              }
              errors++;
            }
          } else {
            const err7 = {
              instancePath: instancePath + "/include/" + i0,
              schemaPath: "#/$defs/include/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema57.items.type,
              parentSchema: schema57.items,
              data: data3
            };
            if (vErrors === null) {
              vErrors = [err7];
            } else {
              vErrors.push(err7);
            }
            errors++;
          }
        }
      } else {
        const err8 = {
          instancePath: instancePath + "/include",
          schemaPath: "#/$defs/include/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema57.type,
          parentSchema: schema57,
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err8];
        } else {
          vErrors.push(err8);
        }
        errors++;
      }
    }
    if (data["machine-key-env"] !== void 0) {
      let data4 = data["machine-key-env"];
      if (typeof data4 !== "string") {
        const err9 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err9];
        } else {
          vErrors.push(err9);
        }
        errors++;
      }
      if (typeof data4 === "string") {
        if (!pattern6.test(data4)) {
          const err10 = {
            instancePath: instancePath + "/machine-key-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data4
          };
          if (vErrors === null) {
            vErrors = [err10];
          } else {
            vErrors.push(err10);
          }
          errors++;
        }
      } else {
        const err11 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err11];
        } else {
          vErrors.push(err11);
        }
        errors++;
      }
      if (typeof data4 !== "string") {
        const err12 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err12];
        } else {
          vErrors.push(err12);
        }
        errors++;
      }
      const _errs21 = errors;
      const _errs22 = errors;
      if (typeof data4 === "string") {
        if (!pattern7.test(data4)) {
          const err13 = {};
          if (vErrors === null) {
            vErrors = [err13];
          } else {
            vErrors.push(err13);
          }
          errors++;
        }
      }
      var valid8 = _errs22 === errors;
      if (valid8) {
        const err14 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err14];
        } else {
          vErrors.push(err14);
        }
        errors++;
      } else {
        errors = _errs21;
        if (vErrors !== null) {
          if (_errs21) {
            vErrors.length = _errs21;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data["roll-back-interrupted"] !== void 0) {
      let data5 = data["roll-back-interrupted"];
      if (typeof data5 !== "boolean") {
        const err15 = {
          instancePath: instancePath + "/roll-back-interrupted",
          schemaPath: "#/$defs/rollBackInterrupted/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema45.type,
          parentSchema: schema45,
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err15];
        } else {
          vErrors.push(err15);
        }
        errors++;
      }
    }
  } else {
    const err16 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema65.type,
      parentSchema: schema65,
      data
    };
    if (vErrors === null) {
      vErrors = [err16];
    } else {
      vErrors.push(err16);
    }
    errors++;
  }
  validate32.errors = vErrors;
  return errors === 0;
}
validate32.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
var schema71 = {
  description: "Renew this machine's lease copies in the store (protocol v1.2): each copy bound to its machine key that carries a lease is re-issued by the license service with a new lease and written back; run it on a schedule on a long-lived machine.",
  type: "object",
  additionalProperties: false,
  properties: {
    store: { $ref: "#/$defs/store" },
    pattern: { $ref: "#/$defs/pattern" },
    include: { $ref: "#/$defs/include" },
    lease: { $ref: "#/$defs/lease" },
    "machine-key-env": {
      description: "Name of the environment variable holding this machine's key (an Ed25519 private key as a JWK, or an OpenSSH Ed25519 private key without passphrase), when the copies were restored with one.",
      $ref: "#/$defs/envName"
    },
    "roll-back-interrupted": { $ref: "#/$defs/rollBackInterrupted" }
  }
};
function validate34(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate34.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!(key0 === "store" || key0 === "pattern" || key0 === "include" || key0 === "lease" || key0 === "machine-key-env" || key0 === "roll-back-interrupted")) {
        const err0 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema71,
          data
        };
        if (vErrors === null) {
          vErrors = [err0];
        } else {
          vErrors.push(err0);
        }
        errors++;
      }
    }
    if (data.store !== void 0) {
      let data0 = data.store;
      if (typeof data0 === "string") {
        if (func2(data0) < 1) {
          const err1 = {
            instancePath: instancePath + "/store",
            schemaPath: "#/$defs/store/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema32,
            data: data0
          };
          if (vErrors === null) {
            vErrors = [err1];
          } else {
            vErrors.push(err1);
          }
          errors++;
        }
      } else {
        const err2 = {
          instancePath: instancePath + "/store",
          schemaPath: "#/$defs/store/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema32.type,
          parentSchema: schema32,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err2];
        } else {
          vErrors.push(err2);
        }
        errors++;
      }
    }
    if (data.pattern !== void 0) {
      let data1 = data.pattern;
      if (typeof data1 === "string") {
        if (func2(data1) < 1) {
          const err3 = {
            instancePath: instancePath + "/pattern",
            schemaPath: "#/$defs/pattern/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema33,
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err3];
          } else {
            vErrors.push(err3);
          }
          errors++;
        }
      } else {
        const err4 = {
          instancePath: instancePath + "/pattern",
          schemaPath: "#/$defs/pattern/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema33.type,
          parentSchema: schema33,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err4];
        } else {
          vErrors.push(err4);
        }
        errors++;
      }
    }
    if (data.include !== void 0) {
      let data2 = data.include;
      if (Array.isArray(data2)) {
        if (data2.length < 1) {
          const err5 = {
            instancePath: instancePath + "/include",
            schemaPath: "#/$defs/include/minItems",
            keyword: "minItems",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 items",
            schema: 1,
            parentSchema: schema57,
            data: data2
          };
          if (vErrors === null) {
            vErrors = [err5];
          } else {
            vErrors.push(err5);
          }
          errors++;
        }
        const len0 = data2.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data3 = data2[i0];
          if (typeof data3 === "string") {
            if (func2(data3) < 1) {
              const err6 = {
                instancePath: instancePath + "/include/" + i0,
                schemaPath: "#/$defs/include/items/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema57.items,
                data: data3
              };
              if (vErrors === null) {
                vErrors = [err6];
              } else {
                vErrors.push(err6);
              }
              errors++;
            }
          } else {
            const err7 = {
              instancePath: instancePath + "/include/" + i0,
              schemaPath: "#/$defs/include/items/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema57.items.type,
              parentSchema: schema57.items,
              data: data3
            };
            if (vErrors === null) {
              vErrors = [err7];
            } else {
              vErrors.push(err7);
            }
            errors++;
          }
        }
      } else {
        const err8 = {
          instancePath: instancePath + "/include",
          schemaPath: "#/$defs/include/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema57.type,
          parentSchema: schema57,
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err8];
        } else {
          vErrors.push(err8);
        }
        errors++;
      }
    }
    if (data.lease !== void 0) {
      let data4 = data.lease;
      if (typeof data4 === "string") {
        if (!pattern34.test(data4)) {
          const err9 = {
            instancePath: instancePath + "/lease",
            schemaPath: "#/$defs/lease/pattern",
            keyword: "pattern",
            params: { pattern: "^[1-9][0-9]{0,5}[smhd]$" },
            message: 'must match pattern "^[1-9][0-9]{0,5}[smhd]$"',
            schema: "^[1-9][0-9]{0,5}[smhd]$",
            parentSchema: schema59,
            data: data4
          };
          if (vErrors === null) {
            vErrors = [err9];
          } else {
            vErrors.push(err9);
          }
          errors++;
        }
      } else {
        const err10 = {
          instancePath: instancePath + "/lease",
          schemaPath: "#/$defs/lease/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema59.type,
          parentSchema: schema59,
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err10];
        } else {
          vErrors.push(err10);
        }
        errors++;
      }
    }
    if (data["machine-key-env"] !== void 0) {
      let data5 = data["machine-key-env"];
      if (typeof data5 !== "string") {
        const err11 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.type,
          parentSchema: schema34,
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err11];
        } else {
          vErrors.push(err11);
        }
        errors++;
      }
      if (typeof data5 === "string") {
        if (!pattern6.test(data5)) {
          const err12 = {
            instancePath: instancePath + "/machine-key-env",
            schemaPath: "#/$defs/envName/allOf/0/pattern",
            keyword: "pattern",
            params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
            schema: "^[A-Za-z_][A-Za-z0-9_]*$",
            parentSchema: schema34.allOf[0],
            data: data5
          };
          if (vErrors === null) {
            vErrors = [err12];
          } else {
            vErrors.push(err12);
          }
          errors++;
        }
      } else {
        const err13 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/0/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[0].type,
          parentSchema: schema34.allOf[0],
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err13];
        } else {
          vErrors.push(err13);
        }
        errors++;
      }
      if (typeof data5 !== "string") {
        const err14 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/1/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema34.allOf[1].type,
          parentSchema: schema34.allOf[1],
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err14];
        } else {
          vErrors.push(err14);
        }
        errors++;
      }
      const _errs25 = errors;
      const _errs26 = errors;
      if (typeof data5 === "string") {
        if (!pattern7.test(data5)) {
          const err15 = {};
          if (vErrors === null) {
            vErrors = [err15];
          } else {
            vErrors.push(err15);
          }
          errors++;
        }
      }
      var valid9 = _errs26 === errors;
      if (valid9) {
        const err16 = {
          instancePath: instancePath + "/machine-key-env",
          schemaPath: "#/$defs/envName/allOf/1/not",
          keyword: "not",
          params: {},
          message: "must NOT be valid",
          schema: schema34.allOf[1].not,
          parentSchema: schema34.allOf[1],
          data: data5
        };
        if (vErrors === null) {
          vErrors = [err16];
        } else {
          vErrors.push(err16);
        }
        errors++;
      } else {
        errors = _errs25;
        if (vErrors !== null) {
          if (_errs25) {
            vErrors.length = _errs25;
          } else {
            vErrors = null;
          }
        }
      }
    }
    if (data["roll-back-interrupted"] !== void 0) {
      let data6 = data["roll-back-interrupted"];
      if (typeof data6 !== "boolean") {
        const err17 = {
          instancePath: instancePath + "/roll-back-interrupted",
          schemaPath: "#/$defs/rollBackInterrupted/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema45.type,
          parentSchema: schema45,
          data: data6
        };
        if (vErrors === null) {
          vErrors = [err17];
        } else {
          vErrors.push(err17);
        }
        errors++;
      }
    }
  } else {
    const err18 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema71.type,
      parentSchema: schema71,
      data
    };
    if (vErrors === null) {
      vErrors = [err18];
    } else {
      vErrors.push(err18);
    }
    errors++;
  }
  validate34.errors = vErrors;
  return errors === 0;
}
validate34.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
function validate20(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) {
  let vErrors = null;
  let errors = 0;
  const evaluated0 = validate20.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = void 0;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = void 0;
  }
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.version === void 0) {
      const err0 = {
        instancePath,
        schemaPath: "#/required",
        keyword: "required",
        params: { missingProperty: "version" },
        message: "must have required property 'version'",
        schema: schema31.required,
        parentSchema: schema31,
        data
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
    if (data.steps === void 0) {
      const err1 = {
        instancePath,
        schemaPath: "#/required",
        keyword: "required",
        params: { missingProperty: "steps" },
        message: "must have required property 'steps'",
        schema: schema31.required,
        parentSchema: schema31,
        data
      };
      if (vErrors === null) {
        vErrors = [err1];
      } else {
        vErrors.push(err1);
      }
      errors++;
    }
    for (const key0 in data) {
      if (!func1.call(schema31.properties, key0)) {
        const err2 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema31,
          data
        };
        if (vErrors === null) {
          vErrors = [err2];
        } else {
          vErrors.push(err2);
        }
        errors++;
      }
    }
    if (data.version !== void 0) {
      let data0 = data.version;
      if (1 !== data0) {
        const err3 = {
          instancePath: instancePath + "/version",
          schemaPath: "#/properties/version/const",
          keyword: "const",
          params: { allowedValue: 1 },
          message: "must be equal to constant",
          schema: 1,
          parentSchema: schema31.properties.version,
          data: data0
        };
        if (vErrors === null) {
          vErrors = [err3];
        } else {
          vErrors.push(err3);
        }
        errors++;
      }
    }
    if (data.store !== void 0) {
      let data1 = data.store;
      if (typeof data1 === "string") {
        if (func2(data1) < 1) {
          const err4 = {
            instancePath: instancePath + "/store",
            schemaPath: "#/$defs/store/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema32,
            data: data1
          };
          if (vErrors === null) {
            vErrors = [err4];
          } else {
            vErrors.push(err4);
          }
          errors++;
        }
      } else {
        const err5 = {
          instancePath: instancePath + "/store",
          schemaPath: "#/$defs/store/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema32.type,
          parentSchema: schema32,
          data: data1
        };
        if (vErrors === null) {
          vErrors = [err5];
        } else {
          vErrors.push(err5);
        }
        errors++;
      }
    }
    if (data.pattern !== void 0) {
      let data2 = data.pattern;
      if (typeof data2 === "string") {
        if (func2(data2) < 1) {
          const err6 = {
            instancePath: instancePath + "/pattern",
            schemaPath: "#/$defs/pattern/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema33,
            data: data2
          };
          if (vErrors === null) {
            vErrors = [err6];
          } else {
            vErrors.push(err6);
          }
          errors++;
        }
      } else {
        const err7 = {
          instancePath: instancePath + "/pattern",
          schemaPath: "#/$defs/pattern/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema33.type,
          parentSchema: schema33,
          data: data2
        };
        if (vErrors === null) {
          vErrors = [err7];
        } else {
          vErrors.push(err7);
        }
        errors++;
      }
    }
    if (data.catalog !== void 0) {
      let data3 = data.catalog;
      if (typeof data3 === "string") {
        if (func2(data3) < 1) {
          const err8 = {
            instancePath: instancePath + "/catalog",
            schemaPath: "#/properties/catalog/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema31.properties.catalog,
            data: data3
          };
          if (vErrors === null) {
            vErrors = [err8];
          } else {
            vErrors.push(err8);
          }
          errors++;
        }
      } else {
        const err9 = {
          instancePath: instancePath + "/catalog",
          schemaPath: "#/properties/catalog/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema31.properties.catalog.type,
          parentSchema: schema31.properties.catalog,
          data: data3
        };
        if (vErrors === null) {
          vErrors = [err9];
        } else {
          vErrors.push(err9);
        }
        errors++;
      }
    }
    if (data.trust !== void 0) {
      let data4 = data.trust;
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        if (Object.keys(data4).length > 1) {
          const err10 = {
            instancePath: instancePath + "/trust",
            schemaPath: "#/properties/trust/maxProperties",
            keyword: "maxProperties",
            params: { limit: 1 },
            message: "must NOT have more than 1 properties",
            schema: 1,
            parentSchema: schema31.properties.trust,
            data: data4
          };
          if (vErrors === null) {
            vErrors = [err10];
          } else {
            vErrors.push(err10);
          }
          errors++;
        }
        if (Object.keys(data4).length < 1) {
          const err11 = {
            instancePath: instancePath + "/trust",
            schemaPath: "#/properties/trust/minProperties",
            keyword: "minProperties",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 properties",
            schema: 1,
            parentSchema: schema31.properties.trust,
            data: data4
          };
          if (vErrors === null) {
            vErrors = [err11];
          } else {
            vErrors.push(err11);
          }
          errors++;
        }
        for (const key1 in data4) {
          if (!(key1 === "jwks" || key1 === "jwks-url" || key1 === "service")) {
            const err12 = {
              instancePath: instancePath + "/trust",
              schemaPath: "#/properties/trust/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key1 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema31.properties.trust,
              data: data4
            };
            if (vErrors === null) {
              vErrors = [err12];
            } else {
              vErrors.push(err12);
            }
            errors++;
          }
        }
        if (data4.jwks !== void 0) {
          let data5 = data4.jwks;
          if (typeof data5 === "string") {
            if (func2(data5) < 1) {
              const err13 = {
                instancePath: instancePath + "/trust/jwks",
                schemaPath: "#/properties/trust/properties/jwks/minLength",
                keyword: "minLength",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 characters",
                schema: 1,
                parentSchema: schema31.properties.trust.properties.jwks,
                data: data5
              };
              if (vErrors === null) {
                vErrors = [err13];
              } else {
                vErrors.push(err13);
              }
              errors++;
            }
          } else {
            const err14 = {
              instancePath: instancePath + "/trust/jwks",
              schemaPath: "#/properties/trust/properties/jwks/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema31.properties.trust.properties.jwks.type,
              parentSchema: schema31.properties.trust.properties.jwks,
              data: data5
            };
            if (vErrors === null) {
              vErrors = [err14];
            } else {
              vErrors.push(err14);
            }
            errors++;
          }
        }
        if (data4["jwks-url"] !== void 0) {
          let data6 = data4["jwks-url"];
          if (typeof data6 === "string") {
            if (!pattern4.test(data6)) {
              const err15 = {
                instancePath: instancePath + "/trust/jwks-url",
                schemaPath: "#/properties/trust/properties/jwks-url/pattern",
                keyword: "pattern",
                params: { pattern: "^https?://" },
                message: 'must match pattern "^https?://"',
                schema: "^https?://",
                parentSchema: schema31.properties.trust.properties["jwks-url"],
                data: data6
              };
              if (vErrors === null) {
                vErrors = [err15];
              } else {
                vErrors.push(err15);
              }
              errors++;
            }
          } else {
            const err16 = {
              instancePath: instancePath + "/trust/jwks-url",
              schemaPath: "#/properties/trust/properties/jwks-url/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema31.properties.trust.properties["jwks-url"].type,
              parentSchema: schema31.properties.trust.properties["jwks-url"],
              data: data6
            };
            if (vErrors === null) {
              vErrors = [err16];
            } else {
              vErrors.push(err16);
            }
            errors++;
          }
        }
        if (data4.service !== void 0) {
          let data7 = data4.service;
          if (true !== data7) {
            const err17 = {
              instancePath: instancePath + "/trust/service",
              schemaPath: "#/properties/trust/properties/service/const",
              keyword: "const",
              params: { allowedValue: true },
              message: "must be equal to constant",
              schema: true,
              parentSchema: schema31.properties.trust.properties.service,
              data: data7
            };
            if (vErrors === null) {
              vErrors = [err17];
            } else {
              vErrors.push(err17);
            }
            errors++;
          }
        }
      } else {
        const err18 = {
          instancePath: instancePath + "/trust",
          schemaPath: "#/properties/trust/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema31.properties.trust.type,
          parentSchema: schema31.properties.trust,
          data: data4
        };
        if (vErrors === null) {
          vErrors = [err18];
        } else {
          vErrors.push(err18);
        }
        errors++;
      }
    }
    if (data.service !== void 0) {
      let data8 = data.service;
      if (data8 && typeof data8 == "object" && !Array.isArray(data8)) {
        if (data8.url === void 0) {
          const err19 = {
            instancePath: instancePath + "/service",
            schemaPath: "#/properties/service/required",
            keyword: "required",
            params: { missingProperty: "url" },
            message: "must have required property 'url'",
            schema: schema31.properties.service.required,
            parentSchema: schema31.properties.service,
            data: data8
          };
          if (vErrors === null) {
            vErrors = [err19];
          } else {
            vErrors.push(err19);
          }
          errors++;
        }
        for (const key2 in data8) {
          if (!(key2 === "url" || key2 === "token-env")) {
            const err20 = {
              instancePath: instancePath + "/service",
              schemaPath: "#/properties/service/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key2 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema31.properties.service,
              data: data8
            };
            if (vErrors === null) {
              vErrors = [err20];
            } else {
              vErrors.push(err20);
            }
            errors++;
          }
        }
        if (data8.url !== void 0) {
          let data9 = data8.url;
          if (typeof data9 === "string") {
            if (!pattern4.test(data9)) {
              const err21 = {
                instancePath: instancePath + "/service/url",
                schemaPath: "#/properties/service/properties/url/pattern",
                keyword: "pattern",
                params: { pattern: "^https?://" },
                message: 'must match pattern "^https?://"',
                schema: "^https?://",
                parentSchema: schema31.properties.service.properties.url,
                data: data9
              };
              if (vErrors === null) {
                vErrors = [err21];
              } else {
                vErrors.push(err21);
              }
              errors++;
            }
          } else {
            const err22 = {
              instancePath: instancePath + "/service/url",
              schemaPath: "#/properties/service/properties/url/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema31.properties.service.properties.url.type,
              parentSchema: schema31.properties.service.properties.url,
              data: data9
            };
            if (vErrors === null) {
              vErrors = [err22];
            } else {
              vErrors.push(err22);
            }
            errors++;
          }
        }
        if (data8["token-env"] !== void 0) {
          let data10 = data8["token-env"];
          if (typeof data10 !== "string") {
            const err23 = {
              instancePath: instancePath + "/service/token-env",
              schemaPath: "#/$defs/envName/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema34.type,
              parentSchema: schema34,
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err23];
            } else {
              vErrors.push(err23);
            }
            errors++;
          }
          if (typeof data10 === "string") {
            if (!pattern6.test(data10)) {
              const err24 = {
                instancePath: instancePath + "/service/token-env",
                schemaPath: "#/$defs/envName/allOf/0/pattern",
                keyword: "pattern",
                params: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
                message: 'must match pattern "^[A-Za-z_][A-Za-z0-9_]*$"',
                schema: "^[A-Za-z_][A-Za-z0-9_]*$",
                parentSchema: schema34.allOf[0],
                data: data10
              };
              if (vErrors === null) {
                vErrors = [err24];
              } else {
                vErrors.push(err24);
              }
              errors++;
            }
          } else {
            const err25 = {
              instancePath: instancePath + "/service/token-env",
              schemaPath: "#/$defs/envName/allOf/0/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema34.allOf[0].type,
              parentSchema: schema34.allOf[0],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err25];
            } else {
              vErrors.push(err25);
            }
            errors++;
          }
          if (typeof data10 !== "string") {
            const err26 = {
              instancePath: instancePath + "/service/token-env",
              schemaPath: "#/$defs/envName/allOf/1/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema34.allOf[1].type,
              parentSchema: schema34.allOf[1],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err26];
            } else {
              vErrors.push(err26);
            }
            errors++;
          }
          const _errs37 = errors;
          const _errs38 = errors;
          if (typeof data10 === "string") {
            if (!pattern7.test(data10)) {
              const err27 = {};
              if (vErrors === null) {
                vErrors = [err27];
              } else {
                vErrors.push(err27);
              }
              errors++;
            }
          }
          var valid7 = _errs38 === errors;
          if (valid7) {
            const err28 = {
              instancePath: instancePath + "/service/token-env",
              schemaPath: "#/$defs/envName/allOf/1/not",
              keyword: "not",
              params: {},
              message: "must NOT be valid",
              schema: schema34.allOf[1].not,
              parentSchema: schema34.allOf[1],
              data: data10
            };
            if (vErrors === null) {
              vErrors = [err28];
            } else {
              vErrors.push(err28);
            }
            errors++;
          } else {
            errors = _errs37;
            if (vErrors !== null) {
              if (_errs37) {
                vErrors.length = _errs37;
              } else {
                vErrors = null;
              }
            }
          }
        }
      } else {
        const err29 = {
          instancePath: instancePath + "/service",
          schemaPath: "#/properties/service/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema31.properties.service.type,
          parentSchema: schema31.properties.service,
          data: data8
        };
        if (vErrors === null) {
          vErrors = [err29];
        } else {
          vErrors.push(err29);
        }
        errors++;
      }
    }
    if (data.signers !== void 0) {
      let data11 = data.signers;
      if (typeof data11 === "string") {
        if (func2(data11) < 1) {
          const err30 = {
            instancePath: instancePath + "/signers",
            schemaPath: "#/properties/signers/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema31.properties.signers,
            data: data11
          };
          if (vErrors === null) {
            vErrors = [err30];
          } else {
            vErrors.push(err30);
          }
          errors++;
        }
      } else {
        const err31 = {
          instancePath: instancePath + "/signers",
          schemaPath: "#/properties/signers/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema31.properties.signers.type,
          parentSchema: schema31.properties.signers,
          data: data11
        };
        if (vErrors === null) {
          vErrors = [err31];
        } else {
          vErrors.push(err31);
        }
        errors++;
      }
    }
    if (data["max-age"] !== void 0) {
      let data12 = data["max-age"];
      if (typeof data12 === "string") {
        if (!pattern8.test(data12)) {
          const err32 = {
            instancePath: instancePath + "/max-age",
            schemaPath: "#/$defs/maxAge/pattern",
            keyword: "pattern",
            params: { pattern: "^[1-9][0-9]{0,5}[dh]$" },
            message: 'must match pattern "^[1-9][0-9]{0,5}[dh]$"',
            schema: "^[1-9][0-9]{0,5}[dh]$",
            parentSchema: schema35,
            data: data12
          };
          if (vErrors === null) {
            vErrors = [err32];
          } else {
            vErrors.push(err32);
          }
          errors++;
        }
      } else {
        const err33 = {
          instancePath: instancePath + "/max-age",
          schemaPath: "#/$defs/maxAge/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema35.type,
          parentSchema: schema35,
          data: data12
        };
        if (vErrors === null) {
          vErrors = [err33];
        } else {
          vErrors.push(err33);
        }
        errors++;
      }
    }
    if (data.steps !== void 0) {
      let data13 = data.steps;
      if (Array.isArray(data13)) {
        if (data13.length < 1) {
          const err34 = {
            instancePath: instancePath + "/steps",
            schemaPath: "#/properties/steps/minItems",
            keyword: "minItems",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 items",
            schema: 1,
            parentSchema: schema31.properties.steps,
            data: data13
          };
          if (vErrors === null) {
            vErrors = [err34];
          } else {
            vErrors.push(err34);
          }
          errors++;
        }
        const len0 = data13.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data14 = data13[i0];
          if (data14 && typeof data14 == "object" && !Array.isArray(data14)) {
            if (Object.keys(data14).length > 1) {
              const err35 = {
                instancePath: instancePath + "/steps/" + i0,
                schemaPath: "#/properties/steps/items/maxProperties",
                keyword: "maxProperties",
                params: { limit: 1 },
                message: "must NOT have more than 1 properties",
                schema: 1,
                parentSchema: schema31.properties.steps.items,
                data: data14
              };
              if (vErrors === null) {
                vErrors = [err35];
              } else {
                vErrors.push(err35);
              }
              errors++;
            }
            if (Object.keys(data14).length < 1) {
              const err36 = {
                instancePath: instancePath + "/steps/" + i0,
                schemaPath: "#/properties/steps/items/minProperties",
                keyword: "minProperties",
                params: { limit: 1 },
                message: "must NOT have fewer than 1 properties",
                schema: 1,
                parentSchema: schema31.properties.steps.items,
                data: data14
              };
              if (vErrors === null) {
                vErrors = [err36];
              } else {
                vErrors.push(err36);
              }
              errors++;
            }
            for (const key3 in data14) {
              if (!(key3 === "backup" || key3 === "restore" || key3 === "verify" || key3 === "release" || key3 === "renew")) {
                const err37 = {
                  instancePath: instancePath + "/steps/" + i0,
                  schemaPath: "#/properties/steps/items/additionalProperties",
                  keyword: "additionalProperties",
                  params: { additionalProperty: key3 },
                  message: "must NOT have additional properties",
                  schema: false,
                  parentSchema: schema31.properties.steps.items,
                  data: data14
                };
                if (vErrors === null) {
                  vErrors = [err37];
                } else {
                  vErrors.push(err37);
                }
                errors++;
              }
            }
            if (data14.backup !== void 0) {
              if (!validate21(data14.backup, {
                instancePath: instancePath + "/steps/" + i0 + "/backup",
                parentData: data14,
                parentDataProperty: "backup",
                rootData,
                dynamicAnchors
              })) {
                vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
                errors = vErrors.length;
              }
            }
            if (data14.restore !== void 0) {
              if (!validate25(data14.restore, {
                instancePath: instancePath + "/steps/" + i0 + "/restore",
                parentData: data14,
                parentDataProperty: "restore",
                rootData,
                dynamicAnchors
              })) {
                vErrors = vErrors === null ? validate25.errors : vErrors.concat(validate25.errors);
                errors = vErrors.length;
              }
            }
            if (data14.verify !== void 0) {
              if (!validate29(data14.verify, {
                instancePath: instancePath + "/steps/" + i0 + "/verify",
                parentData: data14,
                parentDataProperty: "verify",
                rootData,
                dynamicAnchors
              })) {
                vErrors = vErrors === null ? validate29.errors : vErrors.concat(validate29.errors);
                errors = vErrors.length;
              }
            }
            if (data14.release !== void 0) {
              if (!validate32(data14.release, {
                instancePath: instancePath + "/steps/" + i0 + "/release",
                parentData: data14,
                parentDataProperty: "release",
                rootData,
                dynamicAnchors
              })) {
                vErrors = vErrors === null ? validate32.errors : vErrors.concat(validate32.errors);
                errors = vErrors.length;
              }
            }
            if (data14.renew !== void 0) {
              if (!validate34(data14.renew, {
                instancePath: instancePath + "/steps/" + i0 + "/renew",
                parentData: data14,
                parentDataProperty: "renew",
                rootData,
                dynamicAnchors
              })) {
                vErrors = vErrors === null ? validate34.errors : vErrors.concat(validate34.errors);
                errors = vErrors.length;
              }
            }
          } else {
            const err38 = {
              instancePath: instancePath + "/steps/" + i0,
              schemaPath: "#/properties/steps/items/type",
              keyword: "type",
              params: { type: "object" },
              message: "must be object",
              schema: schema31.properties.steps.items.type,
              parentSchema: schema31.properties.steps.items,
              data: data14
            };
            if (vErrors === null) {
              vErrors = [err38];
            } else {
              vErrors.push(err38);
            }
            errors++;
          }
        }
      } else {
        const err39 = {
          instancePath: instancePath + "/steps",
          schemaPath: "#/properties/steps/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema31.properties.steps.type,
          parentSchema: schema31.properties.steps,
          data: data13
        };
        if (vErrors === null) {
          vErrors = [err39];
        } else {
          vErrors.push(err39);
        }
        errors++;
      }
    }
  } else {
    const err40 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema31.type,
      parentSchema: schema31,
      data
    };
    if (vErrors === null) {
      vErrors = [err40];
    } else {
      vErrors.push(err40);
    }
    errors++;
  }
  validate20.errors = vErrors;
  return errors === 0;
}
validate20.evaluated = { props: true, dynamicProps: false, dynamicItems: false };

// src/action/steps/validate.ts
var OWN_MESSAGE_KEYWORDS = /* @__PURE__ */ new Set([
  "pattern",
  "const",
  "minItems",
  "minProperties",
  "maxProperties",
  "anyOf",
  "not",
  "dependentRequired"
]);
function validateSteps(parsed) {
  const validate2 = validate;
  if (validate2(parsed.data)) return;
  const errors = relevant(validate2.errors ?? []);
  const located2 = errors.map((error) => toConfigError(parsed, error));
  located2.sort(
    (a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0)
  );
  throw located2[0] ?? new ConfigError(`${parsed.source}: does not match the steps file schema.`);
}
function relevant(errors) {
  const combinators = errors.filter(
    (e) => (e.keyword === "anyOf" || e.keyword === "not") && e.parentSchema?.["x-message"]
  );
  return errors.filter(
    (e) => !combinators.some(
      (c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`) && e.instancePath === c.instancePath
    )
  );
}
function pathOf(pointer) {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~")).map((part) => /^\d+$/.test(part) ? Number(part) : part);
}
function nameOf(path) {
  const keys = path.filter((p) => typeof p === "string");
  return keys.length === 0 ? "the steps file" : `\`${keys.join(".")}\``;
}
function toConfigError(parsed, error) {
  const path = pathOf(error.instancePath);
  const subject = nameOf(path);
  const own = error.parentSchema?.["x-message"];
  if (typeof own === "string" && OWN_MESSAGE_KEYWORDS.has(error.keyword)) {
    return new ConfigError(`${subject} ${own}.`, parsed.locate(path));
  }
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(error.params["additionalProperty"]);
      const allowed = Object.keys(error.parentSchema?.["properties"] ?? {});
      return new ConfigError(
        `unknown key \`${key}\` in ${subject}; allowed keys: ${allowed.join(", ")}.`,
        parsed.locateKey(path, key)
      );
    }
    case "required":
      return new ConfigError(
        `${subject} is missing the required key \`${String(error.params["missingProperty"])}\`.`,
        parsed.locate(path)
      );
    case "type":
      return new ConfigError(
        `${subject} must be ${article(String(error.params["type"]))}.`,
        parsed.locate(path)
      );
    case "enum":
      return new ConfigError(
        `${subject} must be one of ${error.params["allowedValues"].map((v) => `\`${String(v)}\``).join(", ")}, not ${JSON.stringify(error.data)}.`,
        parsed.locate(path)
      );
    default:
      return new ConfigError(`${subject} ${error.message ?? "is not valid"}.`, parsed.locate(path));
  }
}
function article(type) {
  const names = {
    object: "a map",
    array: "a list",
    string: "a string",
    boolean: "true or false",
    integer: "a whole number",
    number: "a number",
    "string,integer": "a string or a whole number"
  };
  return names[type] ?? type;
}

// src/action/steps/registry.ts
function toRegistryPush(parsed, path, json) {
  const repository = located(
    parsed,
    [...path, "repository"],
    () => parseRepository(String(json["repository"]))
  );
  const keep = json["keep"];
  return {
    repository,
    tags: json["tags"] ?? [],
    ...login(parsed, path, json),
    ...keep ? {
      keep: {
        ...typeof keep["last"] === "number" ? { last: keep["last"] } : {},
        ...typeof keep["daily"] === "number" ? { daily: keep["daily"] } : {},
        ...typeof keep["weekly"] === "number" ? { weekly: keep["weekly"] } : {},
        ...typeof keep["monthly"] === "number" ? { monthly: keep["monthly"] } : {},
        dryRun: keep["dry-run"] === true
      }
    } : {},
    at: parsed.locate(path)
  };
}
function toRegistrySource(parsed, path, json) {
  const reference = located(parsed, [...path, "reference"], () => parseReference(String(json["reference"])));
  return { reference, ...login(parsed, path, json), at: parsed.locate(path) };
}
function login(parsed, path, json) {
  const tokenEnv = typeof json["token-env"] === "string" ? { name: json["token-env"], at: parsed.locate([...path, "token-env"]) } : void 0;
  const realms = json["token-realms"];
  return {
    ...typeof json["username"] === "string" ? { username: json["username"] } : {},
    ...tokenEnv ? { tokenEnv } : {},
    ...realms ? { tokenRealms: realms.map((realm) => new URL(realm).origin) } : {}
  };
}
function located(parsed, path, read) {
  try {
    return read();
  } catch (error) {
    if (error instanceof RegistryReferenceError) throw new ConfigError(error.message, parsed.locate(path));
    throw error;
  }
}

// src/action/steps/load.ts
async function loadSteps(from) {
  const parsed = await readSteps(from);
  validateSteps(parsed);
  checkPatterns(parsed);
  await checkRecipients2(parsed);
  return toStepsConfig(parsed, from.env ?? process.env);
}
async function readSteps(from) {
  if (from.inline.trim() !== "") return parseSteps(from.inline, from.inlineName ?? "the `steps` input");
  let text;
  try {
    text = await readInputFile(from.config);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const fix = error.code === "ENOENT" ? "create it or set the `config` input to its path (or give the steps inline with `steps`)" : "set the `config` input to the path of a regular file (or give the steps inline with `steps`)";
    throw new ConfigError(`Steps file ${from.config} ${error.reason}: ${fix}.`);
  }
  return parseSteps(text, from.config, from.config);
}
function toStepsConfig(parsed, env) {
  const root = parsed.data;
  const serviceJson = root["service"];
  const trust = toTrust(parsed, root, serviceJson);
  const topStore = {
    ...typeof root["store"] === "string" ? { store: root["store"] } : {},
    ...typeof root["pattern"] === "string" ? { pattern: root["pattern"] } : {},
    ...typeof root["catalog"] === "string" ? { catalog: root["catalog"] } : {},
    ...trust ? { trust } : {}
  };
  const steps = root["steps"].map((item, i) => {
    const kind = Object.keys(item)[0];
    const path = ["steps", i, kind];
    const body = item[kind] ?? {};
    const at = parsed.locate(path);
    if (kind === "verify") return toVerify(parsed, path, body, root, topStore, i + 1, at);
    const store = storeOf(topStore, body, at, kind);
    if (kind === "release" || kind === "renew")
      return toSlotStep(kind, parsed, path, body, store, serviceJson, i + 1, at);
    const folder = folderPath(parsed, path, body, env);
    if (kind === "backup") return toBackup(parsed, path, body, store, folder ?? "", i + 1, at);
    return { ...toRestore(parsed, path, body, store, folder, serviceJson, i + 1, at), ...trustOf(root, body) };
  });
  return { source: parsed.source, steps };
}
function toTrust(parsed, root, service) {
  const trust = root["trust"];
  if (!trust) return void 0;
  if (typeof trust["jwks"] === "string") return { jwksFile: trust["jwks"] };
  if (typeof trust["jwks-url"] === "string") return { jwksUrl: trust["jwks-url"] };
  if (!service) {
    throw new ConfigError(
      "`trust: { service: true }` uses the license service's keys, but there is no `service` with a `url`: add one or use `jwks`.",
      parsed.locate(["trust", "service"])
    );
  }
  return { serviceUrl: String(service["url"]) };
}
function storeOf(top, body, at, kind) {
  const store = typeof body["store"] === "string" ? body["store"] : top.store;
  if (store === void 0) {
    throw new ConfigError(
      `this ${kind} step has no store: set \`store\` at the top of the file or in the step.`,
      at
    );
  }
  const pattern = typeof body["pattern"] === "string" ? body["pattern"] : top.pattern;
  return {
    store,
    ...pattern === void 0 ? {} : { pattern },
    ...top.catalog === void 0 ? {} : { catalog: top.catalog },
    ...top.trust === void 0 ? {} : { trust: top.trust },
    ...body["roll-back-interrupted"] === true ? { rollBackInterrupted: true } : {}
  };
}
function folderPath(parsed, path, body, env) {
  if (typeof body["path"] === "string") return body["path"];
  const ref = envRef(parsed, [...path, "path-env"], body["path-env"]);
  if (!ref) return void 0;
  const value = env[ref.name];
  if (value === void 0 || value === "") {
    throw new ConfigError(
      `the environment variable ${ref.name} (named by \`path-env\`) is not set: set it in the workflow step's \`env:\`, e.g. \`${ref.name}: \${{ inputs.path }}\`.`,
      ref.at
    );
  }
  return value;
}
function toBackup(parsed, path, body, store, folder, index, at) {
  const artifact = body["artifact"];
  const registry = body["registry"];
  const encryptTo = body["encrypt-to"];
  const sign = body["sign"];
  const signKeyEnv = sign ? envRef(parsed, [...path, "sign", "key-env"], sign["key-env"]) : void 0;
  return {
    kind: "backup",
    index,
    ...store,
    path: folder,
    overwrite: body["overwrite"] === true,
    onRestricted: body["on-restricted"] ?? "warn",
    ...encryptTo ? { encryptTo } : {},
    ...typeof body["compression"] === "string" ? { compression: body["compression"] } : {},
    ...typeof body["format"] === "string" ? { format: body["format"] } : {},
    ...signKeyEnv ? { signKeyEnv } : {},
    ...artifact ? { artifact: toUpload(parsed, [...path, "artifact"], artifact) } : {},
    ...registry ? { registry: toRegistryPush(parsed, [...path, "registry"], registry) } : {},
    at
  };
}
function toUpload(parsed, path, json) {
  return {
    ...typeof json["name"] === "string" ? { name: json["name"] } : {},
    ...typeof json["retention-days"] === "number" ? { retentionDays: json["retention-days"] } : {},
    ...typeof json["compression-level"] === "number" ? { compressionLevel: json["compression-level"] } : {},
    overwrite: json["overwrite"] === true,
    at: parsed.locate(path)
  };
}
function toRestore(parsed, path, body, store, folder, service, index, at) {
  const identityEnv = envRef(parsed, [...path, "identity-env"], body["identity-env"]);
  return {
    kind: "restore",
    index,
    ...store,
    ...folder === void 0 ? {} : { path: folder },
    ...backupSource(parsed, path, body),
    individualize: body["individualize"] === true,
    ...identityEnv ? { identityEnv } : {},
    ...slotSettings(parsed, path, body, service, at, "restore"),
    onRefused: body["on-refused"] === "skip" ? "skip" : "fail",
    releaseOnExit: body["release-on-exit"] === true,
    ...leaseOf(parsed, path, body),
    at
  };
}
function backupSource(parsed, path, body) {
  const artifact = body["from-artifact"];
  const registry = body["from-registry"];
  if (artifact) return { fromArtifact: toSource(parsed, [...path, "from-artifact"], artifact) };
  if (registry) return { fromRegistry: toRegistrySource(parsed, [...path, "from-registry"], registry) };
  return {};
}
function toVerify(parsed, path, body, root, top, index, at) {
  const identityEnv = envRef(parsed, [...path, "identity-env"], body["identity-env"]);
  return {
    kind: "verify",
    index,
    ...typeof body["path"] === "string" ? { path: body["path"] } : {},
    ...backupSource(parsed, path, body),
    ...identityEnv ? { identityEnv } : {},
    ...top.catalog === void 0 ? {} : { catalog: top.catalog },
    ...top.trust === void 0 ? {} : { trust: top.trust },
    ...trustOf(root, body),
    at
  };
}
function trustOf(root, body) {
  const maxAge = body["max-age"] ?? root["max-age"];
  return {
    ...typeof root["signers"] === "string" ? { signers: root["signers"] } : {},
    ...maxAge === void 0 ? {} : { maxAgeMs: maxAgeMs(maxAge) }
  };
}
function maxAgeMs(text) {
  const hours = text.endsWith("d") ? 24 : 1;
  return Number(text.slice(0, -1)) * hours * 36e5;
}
function toSlotStep(kind, parsed, path, body, store, service, index, at) {
  const settings = { index, ...store, ...slotSettings(parsed, path, body, service, at, kind), at };
  return kind === "release" ? { kind, ...settings } : { kind, ...settings, ...leaseOf(parsed, path, body) };
}
var SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };
function leaseOf(parsed, path, body) {
  const text = body["lease"];
  if (typeof text !== "string") return {};
  const seconds = Number(text.slice(0, -1)) * (SECONDS[text.slice(-1)] ?? 1);
  if (seconds < MIN_LEASE_SECONDS) {
    throw new ConfigError(
      `\`lease\` is ${text}: the license service grants a lease of at least a minute; give \`60s\` or more.`,
      parsed.locate([...path, "lease"])
    );
  }
  return { leaseSeconds: seconds };
}
function slotSettings(parsed, path, body, service, at, kind) {
  if (!service) {
    throw new ConfigError(
      `a ${kind} step goes through the license service: add \`service: { url: \u2026, token-env: \u2026 }\` at the top of the file.`,
      at
    );
  }
  const tokenEnv = envRef(parsed, ["service", "token-env"], service["token-env"]);
  const machineKeyEnv = envRef(parsed, [...path, "machine-key-env"], body["machine-key-env"]);
  const include = body["include"];
  return {
    service: { url: String(service["url"]), ...tokenEnv ? { tokenEnv } : {} },
    ...include ? { include } : {},
    ...machineKeyEnv ? { machineKeyEnv } : {}
  };
}
function toSource(parsed, path, json) {
  return {
    name: String(json["name"]),
    ...typeof json["run-id"] === "number" ? { runId: json["run-id"] } : {},
    ...typeof json["artifact-id"] === "number" ? { artifactId: json["artifact-id"] } : {},
    ...json["workflow"] === void 0 ? {} : { workflow: String(json["workflow"]) },
    ...typeof json["branch"] === "string" ? { branch: json["branch"] } : {},
    ...Array.isArray(json["events"]) ? { events: json["events"].map(String) } : {},
    allowForks: json["allow-forks"] === true,
    ...typeof json["repository"] === "string" ? { repository: json["repository"] } : {},
    at: parsed.locate(path)
  };
}
function envRef(parsed, path, value) {
  if (typeof value !== "string") return void 0;
  return { name: value, at: parsed.locate(path) };
}
async function checkRecipients2(parsed) {
  const steps = parsed.data["steps"];
  const lists = steps.map(
    (step) => step["backup"]?.["encrypt-to"]
  );
  for (const [i, list] of lists.entries()) {
    for (const [j, recipient] of (list ?? []).entries()) {
      try {
        await checkRecipients([recipient]);
      } catch {
        throw new ConfigError(
          `\`encrypt-to\` entry ${recipient} is not a valid age recipient (its checksum does not match): copy it again from \`age-keygen -y\`.`,
          parsed.locate(["steps", i, "backup", "encrypt-to", j])
        );
      }
    }
  }
}
function checkPatterns(parsed) {
  const root = parsed.data;
  const steps = root["steps"];
  const places = [["pattern"]];
  steps.forEach((step, i) => {
    for (const kind of Object.keys(step)) places.push(["steps", i, kind, "pattern"]);
  });
  for (const path of places) {
    const pattern = path.reduce(
      (value, key) => value?.[key],
      root
    );
    if (typeof pattern !== "string") continue;
    try {
      compileGlob(pattern);
    } catch (error) {
      throw new ConfigError(error.message, parsed.locate(path));
    }
  }
}

// src/action/summary/write-summary.ts
import { appendFile } from "node:fs/promises";

// src/action/summary/html.ts
var brand = /* @__PURE__ */ Symbol("Html");
var ENTITIES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;"
};
function escapeHtml(text) {
  return neutralise(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
function html(strings, ...values) {
  let out = strings[0] ?? "";
  for (const [i, value] of values.entries()) {
    out += (typeof value === "object" ? value[brand] : escapeHtml(String(value))) + (strings[i + 1] ?? "");
  }
  return { [brand]: out };
}
function joinHtml(parts, separator) {
  return { [brand]: parts.map((part) => part[brand]).join(separator[brand]) };
}
function link(url, label) {
  const safe = URL.canParse(url) && ["http:", "https:"].includes(new URL(url).protocol);
  return safe ? html`<a href="${url}">${label}</a>` : html`${label} (<code>${url}</code>)`;
}
function htmlOf(value) {
  return value[brand];
}

// src/action/summary/registry-rows.ts
var BR = html`<br />`;
function registryRows(registry) {
  const where = registry.link.startsWith("https://") ? link(registry.link, registry.repository) : html`<code>${registry.repository}</code>`;
  const rows2 = [
    [registry.pushed ? "Pushed to" : "Pulled from", html`${where}${BR}<code>${registry.digest}</code>`]
  ];
  if (registry.tags.length) {
    rows2.push([
      "Tags",
      joinHtml(
        registry.tags.map((tag) => html`<code>${tag}</code>`),
        html`, `
      )
    ]);
  }
  const keep = registry.keep;
  if (!keep) return rows2;
  const kept = keep.kept.map((k) => html`<code>${k.tag}</code> (${k.reasons.join(", ")})`);
  const deleted = keep.deleted.map((d) => html`<code>${d.tag}</code> <code>${d.digest}</code>`);
  rows2.push(["Kept", kept.length ? joinHtml(kept, BR) : html`none`]);
  rows2.push([
    keep.dryRun ? "Would delete (dry run)" : "Deleted",
    deleted.length ? joinHtml(deleted, BR) : html`none`
  ]);
  const failed = keep.failed.map((f) => html`<code>${f.tag}</code> <code>${f.digest}</code>`);
  if (failed.length) rows2.push(["Not deleted (see the warnings)", joinHtml(failed, BR)]);
  const future = keep.future.map((f) => html`<code>${f.tag}</code>`);
  if (future.length) rows2.push(["Dated in the future (kept, not counted)", joinHtml(future, BR)]);
  return rows2;
}

// src/action/summary/write-summary.ts
var SUMMARY_LIMIT_BYTES = 1024 * 1024;
var LISTS_BUDGET_BYTES = 512 * 1024;
var MESSAGE_CELL_BYTES = 8 * 1024;
async function writeSummary(report, env) {
  const file = env["GITHUB_STEP_SUMMARY"];
  if (!file || report.steps.length === 0) return;
  const text = summaryText(report);
  await appendFile(file, `${text}
`, "utf8");
}
function summaryText(report) {
  const budget = { left: LISTS_BUDGET_BYTES };
  summary.emptyBuffer();
  summary.addHeading("License backup", 2);
  for (const step of report.steps) {
    summary.addHeading(htmlOf(html`${step.title}`), 3);
    summary.addTable([
      [
        { data: "What", header: true },
        { data: "Result", header: true }
      ],
      ...rows(step, budget).map(([what, result]) => [what, htmlOf(result)])
    ]);
  }
  const text = summary.stringify();
  summary.emptyBuffer();
  if (Buffer.byteLength(text) <= SUMMARY_LIMIT_BYTES) return text;
  const note = `The summary of these ${report.steps.length} steps was ${Buffer.byteLength(text)} bytes, over GitHub's limit of ${SUMMARY_LIMIT_BYTES}; each step's results are in the log.`;
  return htmlOf(
    html`<h2>License backup</h2>
      <p>${note}</p>`
  );
}
var BR2 = html`<br />`;
var BR_BYTES = Buffer.byteLength(htmlOf(BR2));
function rows(step, budget) {
  const rows2 = [["Outcome", outcomeText(step)]];
  if (step.path !== void 0) rows2.push([PATH_LABELS[step.kind], html`<code>${step.path}</code>`]);
  if (step.backedUp !== void 0) rows2.push(["Licenses backed up", html`${step.backedUp}`]);
  if (step.packSize !== void 0) rows2.push(["Pack size", packText(step)]);
  if (step.signed !== void 0)
    rows2.push(["Signed", html`${step.signed ? "yes (manifest.json.sig)" : "no"}`]);
  if (step.verified !== void 0) rows2.push(["Licenses verified", html`${step.verified}`]);
  if (step.origin !== void 0) rows2.push(["Origin", html`${step.origin}`]);
  if (step.signer !== void 0) rows2.push(["Signed by", html`${step.signer}`]);
  if (step.restricted !== void 0) rows2.push(["Restricted (not backed up)", restrictedText(step, budget)]);
  if (step.restored !== void 0) rows2.push(["Licenses restored", html`${step.restored}`]);
  if (step.released !== void 0) rows2.push(["Licenses released", html`${step.released}`]);
  if (step.renewed !== void 0) rows2.push(["Lease copies renewed", html`${step.renewed}`]);
  if (step.leaseExpires !== void 0) rows2.push(["Lease expires", html`${step.leaseExpires}`]);
  if (step.unchanged !== void 0) rows2.push(["Already on this machine", html`${step.unchanged}`]);
  if (step.expired) rows2.push(["Expired (not restored)", html`${step.expired}`]);
  if (step.skipped?.length) {
    const skipped = bounded(
      step.skipped,
      (s) => html`${s.title ?? "license"} (key ID <code>${s.key_id}</code>, license <code>${s.jti}</code>):
          ${s.reason}`,
      budget,
      "the step's log (a line for each)"
    );
    rows2.push(["Refused, skipped", skipped]);
  }
  if (step.refused?.length) {
    const refused = bounded(
      step.refused,
      (r) => html`key ID <code>${r.keyId}</code>: ${r.message} (${link(r.url, "details")})`,
      budget,
      "the step's log (an error for each)"
    );
    rows2.push(["Refused", refused]);
  }
  rows2.push(["Duration", html`${(step.durationMs / 1e3).toFixed(1)} s`]);
  if (step.artifact) {
    rows2.push(["Artifact", html`${link(step.artifact.url, step.artifact.name)} (ID ${step.artifact.id})`]);
  }
  if (step.registry) rows2.push(...registryRows(step.registry));
  return rows2;
}
var PATH_LABELS = {
  backup: "Backup folder",
  restore: "Restored from",
  verify: "Verified",
  release: "Released from",
  renew: "Renewed in"
};
function packText(step) {
  const size = step.packSize ?? 0;
  const count = step.backedUp ?? step.verified ?? 0;
  return count > 0 ? html`${size} bytes (${bytesPerLicense(size, count)} bytes a license)` : html`${size} bytes`;
}
function outcomeText(step) {
  if (step.outcome === "succeeded" || !step.error) return html`${step.outcome}`;
  if (step.error.length <= MESSAGE_CELL_BYTES) return html`${step.outcome}: ${step.error}`;
  const cut = step.error.slice(0, MESSAGE_CELL_BYTES);
  const note = `cut here, ${step.error.length - cut.length} more characters: the step's log has the whole message`;
  return html`${step.outcome}: ${cut} … (${note})`;
}
function restrictedText(step, budget) {
  const restricted = step.restricted ?? [];
  if (restricted.length === 0) return html`0`;
  const each = bounded(
    restricted,
    (r) => r.title ? html`${r.title} (key ID <code>${r.key_id}</code>)` : html`key ID <code>${r.key_id}</code>`,
    budget,
    step.restrictedListedIn ?? "the step's log"
  );
  return html`${restricted.length}: ${each}`;
}
function bounded(items, render, budget, listedIn) {
  const shown = [];
  for (const item of items) {
    const line = render(item);
    const size = Buffer.byteLength(htmlOf(line)) + BR_BYTES;
    if (size > budget.left) break;
    budget.left -= size;
    shown.push(line);
  }
  const left = items.length - shown.length;
  if (left === 0) return joinHtml(shown, BR2);
  const note = `\u2026 and ${left} more not shown (the summary's size limit): the full list is in ${listedIn}.`;
  return joinHtml([...shown, html`${note}`], BR2);
}

// src/main.ts
var defaultDeps = {
  // The operations' code loads on their first call, so a bad steps file fails before any of it is loaded.
  createEngine: async (listener) => createBackupRestorer(listener),
  artifactClient: loadArtifactClient,
  fetch: (...args) => globalThis.fetch(...args),
  // Getters: read when run() starts, so a test or host that replaces process.env is seen.
  get env() {
    return process.env;
  },
  get signals() {
    return process;
  },
  now: Date.now
};
async function run(overrides = {}) {
  const deps = { ...defaultDeps, ...overrides };
  if (getState(POST_STATE) === "true") {
    await releaseOnExit(() => deps.createEngine(() => void 0), deps.env);
    return;
  }
  saveState(POST_STATE, "true");
  const report = new RunReport();
  const controller = new AbortController();
  const stopListening = abortOnSignals(deps.signals, controller);
  try {
    const inputs = readActionInputs();
    const config = await loadSteps({ config: inputs.config, inline: inputs.steps, env: deps.env });
    const steps = inputs.only ? config.steps.filter((step) => step.kind === inputs.only) : config.steps;
    const origin = backupOrigin(deps.env);
    const secrets = resolveSecrets(steps, deps.env);
    if (steps.length === 0) {
      log.warning(
        logText`${config.source} has no ${inputs.only ?? ""} steps: nothing to do (the \`only\` input is \`${inputs.only ?? ""}\`).`
      );
      return;
    }
    log.info(logText`Running ${steps.length} step(s) from ${config.source}.`);
    await sweepLeftovers(workflowRun(deps.env));
    let current;
    const engine = await deps.createEngine((event) => current?.(event));
    let client;
    const { runSteps } = await import("./chunks/run-steps-AYTFQCMH.js");
    await runSteps(steps, {
      engine,
      listen: (listener) => current = listener,
      signal: controller.signal,
      onRestricted: inputs.onRestricted,
      secrets,
      artifacts: () => client ??= deps.artifactClient(),
      run: workflowRun(deps.env),
      ...origin ? { origin } : {},
      githubToken: inputs.githubToken,
      fetch: deps.fetch,
      now: deps.now,
      report,
      total: steps.length,
      uploadsWithDefaultName: steps.filter(
        (s) => s.kind === "backup" && s.artifact && s.artifact.name === void 0
      ).length,
      pushed: /* @__PURE__ */ new Map()
    });
  } catch (error) {
    fail(controller.signal.aborted ? cancelledError(error) : error);
  } finally {
    stopListening();
    setOutputs(report);
    await writeSummary(report, deps.env).catch(
      (error) => log.warning(logText`Could not write the job summary: ${String(error)}`)
    );
  }
}
async function sweepLeftovers(context) {
  const removed = await sweepRestoreDirs(context.tempDir ?? tmpdir());
  if (removed.length) {
    log.info(
      logText`Removed ${removed.length} download folder(s) left by a killed run: ${removed.join(", ")}.`
    );
  }
}
function cancelledError(error) {
  if (isLicenseBackupError(error) && error.code === "CANCELLED") return error;
  return cancelled("run");
}
function fail(error) {
  if (error instanceof ConfigError && error.location) {
    const { file, line, column } = error.location;
    process.exitCode = ExitCode.Failure;
    log.error(logText`${errorText(error)}`, {
      title: logText`Invalid license-backup steps`,
      ...file === void 0 ? {} : { file, startLine: line, startColumn: column }
    });
    return;
  }
  const shown = isExpected(error) ? error : internalError(error);
  logStack(shown);
  log.fail(logText`${failureText(shown)}`);
}
function isExpected(error) {
  return isLicenseBackupError(error) || error instanceof ConfigError || error instanceof RestrictedLicensesError;
}
function logStack(error) {
  if (!isLicenseBackupError(error) || error.code !== "INTERNAL_ERROR") return;
  const cause = error.cause;
  log.debug(
    logText`Stack of the unexpected error: ${cause instanceof Error && cause.stack ? cause.stack : String(cause)}`
  );
}

// src/index.ts
await run();
