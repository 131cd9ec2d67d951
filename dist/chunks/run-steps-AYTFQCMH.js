import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ConfigError,
  RestrictedLicensesError,
  StepLog,
  artifactUrl,
  bytesPerLicense,
  defaultArtifactName,
  errorText,
  isDigest,
  isLoopbackHost,
  log,
  logText,
  makeRestoreDir,
  mask,
  referenceText,
  registryOrigin,
  rememberForExit,
  repositoryText
} from "./chunk-VWCMWRET.js";
import "./chunk-2HFINW4O.js";
import "./chunk-46RMCKOJ.js";
import "./chunk-QECHKEH7.js";
import {
  MAX_MANIFEST_BYTES,
  manifestByteLimit
} from "./chunk-E4FUTUJW.js";
import {
  ENCRYPTED_PACK_FILE,
  MANIFEST_FILE,
  MAX_SIGNATURE_BYTES,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE
} from "./chunk-GYL6EDMH.js";
import "./chunk-4CBSMRKD.js";
import "./chunk-Z6LEVCEF.js";
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter
} from "./chunk-XDYNRSUZ.js";
import {
  LicenseBackupError,
  cancelled,
  isLicenseBackupError,
  throwIfAborted
} from "./chunk-LIRZADVX.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-HANBNIMK.js";

// node_modules/pend/index.js
var require_pend = __commonJS({
  "node_modules/pend/index.js"(exports, module) {
    module.exports = Pend;
    function Pend() {
      this.pending = 0;
      this.max = Infinity;
      this.listeners = [];
      this.waiting = [];
      this.error = null;
    }
    Pend.prototype.go = function(fn) {
      if (this.pending < this.max) {
        pendGo(this, fn);
      } else {
        this.waiting.push(fn);
      }
    };
    Pend.prototype.wait = function(cb) {
      if (this.pending === 0) {
        cb(this.error);
      } else {
        this.listeners.push(cb);
      }
    };
    Pend.prototype.hold = function() {
      return pendHold(this);
    };
    function pendHold(self) {
      self.pending += 1;
      var called = false;
      return onCb;
      function onCb(err) {
        if (called) throw new Error("callback called twice");
        called = true;
        self.error = self.error || err;
        self.pending -= 1;
        if (self.waiting.length > 0 && self.pending < self.max) {
          pendGo(self, self.waiting.shift());
        } else if (self.pending === 0) {
          var listeners = self.listeners;
          self.listeners = [];
          listeners.forEach(cbListener);
        }
      }
      function cbListener(listener) {
        listener(self.error);
      }
    }
    function pendGo(self, fn) {
      fn(pendHold(self));
    }
  }
});

// node_modules/yauzl/fd-slicer.js
var require_fd_slicer = __commonJS({
  "node_modules/yauzl/fd-slicer.js"(exports) {
    var fs = __require("fs");
    var util = __require("util");
    var stream = __require("stream");
    var Readable = stream.Readable;
    var PassThrough = stream.PassThrough;
    var Pend = require_pend();
    var EventEmitter = __require("events").EventEmitter;
    exports.BufferSlicer = BufferSlicer;
    exports.FdSlicer = FdSlicer;
    util.inherits(FdSlicer, EventEmitter);
    function FdSlicer(fd) {
      EventEmitter.call(this);
      this.fd = fd;
      this.pend = new Pend();
      this.pend.max = 1;
      this.refCount = 0;
    }
    FdSlicer.prototype.read = function(buffer, offset, length, position, callback) {
      var self = this;
      self.pend.go(function(cb) {
        fs.read(self.fd, buffer, offset, length, position, function(err, bytesRead, buffer2) {
          cb();
          callback(err, bytesRead, buffer2);
        });
      });
    };
    FdSlicer.prototype.createReadStream = function(options2) {
      return new ReadStream(this, options2);
    };
    FdSlicer.prototype.ref = function() {
      this.refCount += 1;
    };
    FdSlicer.prototype.unref = function() {
      var self = this;
      self.refCount -= 1;
      if (self.refCount < 0) throw new Error("invalid unref");
      if (self.refCount > 0) return;
      fs.close(self.fd, onCloseDone);
      function onCloseDone(err) {
        if (err) {
          self.emit("error", err);
        } else {
          self.emit("close");
        }
      }
    };
    util.inherits(ReadStream, Readable);
    function ReadStream(context, options2) {
      options2 = options2 || {};
      Readable.call(this, options2);
      this.context = context;
      this.context.ref();
      this.start = options2.start || 0;
      this.endOffset = options2.end;
      this.pos = this.start;
    }
    ReadStream.prototype._read = function(n) {
      var self = this;
      var toRead = Math.min(self._readableState.highWaterMark, n);
      if (self.endOffset != null) {
        toRead = Math.min(toRead, self.endOffset - self.pos);
      }
      if (toRead <= 0) {
        self.push(null);
        this._cleanup();
        return;
      }
      self.context.pend.go(function(cb) {
        var buffer = Buffer.allocUnsafe(toRead);
        fs.read(self.context.fd, buffer, 0, toRead, self.pos, function(err, bytesRead) {
          if (err) {
            self.destroy(err);
          } else if (bytesRead === 0) {
            self.push(null);
            self._cleanup();
          } else {
            self.pos += bytesRead;
            self.push(buffer.slice(0, bytesRead));
          }
          cb();
        });
      });
    };
    ReadStream.prototype._destroy = function(err, cb) {
      this._cleanup();
      cb(err);
    };
    ReadStream.prototype._cleanup = function() {
      if (this.context != null) {
        this.context.unref();
        this.context = null;
      }
    };
    util.inherits(BufferSlicer, EventEmitter);
    function BufferSlicer(buffer) {
      EventEmitter.call(this);
      this.refCount = 0;
      this.buffer = buffer;
    }
    BufferSlicer.prototype.read = function(buffer, offset, length, position, callback) {
      if (!(0 <= offset && offset <= buffer.length)) throw new RangeError("offset outside buffer: 0 <= " + offset + " <= " + buffer.length);
      if (position < 0) throw new RangeError("position is negative: " + position);
      if (offset + length > buffer.length) {
        length = buffer.length - offset;
      }
      if (position + length > this.buffer.length) {
        length = this.buffer.length - position;
      }
      if (length <= 0) {
        setImmediate(function() {
          callback(null, 0);
        });
        return;
      }
      this.buffer.copy(buffer, offset, position, position + length);
      setImmediate(function() {
        callback(null, length);
      });
    };
    BufferSlicer.prototype.createReadStream = function(options2) {
      options2 = options2 || {};
      var readStream = new PassThrough(options2);
      readStream.start = options2.start || 0;
      readStream.endOffset = options2.end;
      readStream.pos = readStream.endOffset || this.buffer.length;
      var entireSlice = this.buffer.slice(readStream.start, readStream.pos);
      var maxChunkSize = 65536;
      var offset = 0;
      while (true) {
        var nextOffset = offset + maxChunkSize;
        if (nextOffset >= entireSlice.length) {
          if (offset < entireSlice.length) {
            readStream.write(entireSlice.slice(offset, entireSlice.length));
          }
          break;
        }
        readStream.write(entireSlice.slice(offset, nextOffset));
        offset = nextOffset;
      }
      readStream.end();
      return readStream;
    };
    BufferSlicer.prototype.ref = function() {
      this.refCount += 1;
    };
    BufferSlicer.prototype.unref = function() {
      this.refCount -= 1;
      if (this.refCount < 0) {
        throw new Error("invalid unref");
      }
    };
  }
});

// node_modules/yauzl/crc32.js
var require_crc32 = __commonJS({
  "node_modules/yauzl/crc32.js"(exports, module) {
    var CRC_TABLE = new Int32Array([
      0,
      1996959894,
      3993919788,
      2567524794,
      124634137,
      1886057615,
      3915621685,
      2657392035,
      249268274,
      2044508324,
      3772115230,
      2547177864,
      162941995,
      2125561021,
      3887607047,
      2428444049,
      498536548,
      1789927666,
      4089016648,
      2227061214,
      450548861,
      1843258603,
      4107580753,
      2211677639,
      325883990,
      1684777152,
      4251122042,
      2321926636,
      335633487,
      1661365465,
      4195302755,
      2366115317,
      997073096,
      1281953886,
      3579855332,
      2724688242,
      1006888145,
      1258607687,
      3524101629,
      2768942443,
      901097722,
      1119000684,
      3686517206,
      2898065728,
      853044451,
      1172266101,
      3705015759,
      2882616665,
      651767980,
      1373503546,
      3369554304,
      3218104598,
      565507253,
      1454621731,
      3485111705,
      3099436303,
      671266974,
      1594198024,
      3322730930,
      2970347812,
      795835527,
      1483230225,
      3244367275,
      3060149565,
      1994146192,
      31158534,
      2563907772,
      4023717930,
      1907459465,
      112637215,
      2680153253,
      3904427059,
      2013776290,
      251722036,
      2517215374,
      3775830040,
      2137656763,
      141376813,
      2439277719,
      3865271297,
      1802195444,
      476864866,
      2238001368,
      4066508878,
      1812370925,
      453092731,
      2181625025,
      4111451223,
      1706088902,
      314042704,
      2344532202,
      4240017532,
      1658658271,
      366619977,
      2362670323,
      4224994405,
      1303535960,
      984961486,
      2747007092,
      3569037538,
      1256170817,
      1037604311,
      2765210733,
      3554079995,
      1131014506,
      879679996,
      2909243462,
      3663771856,
      1141124467,
      855842277,
      2852801631,
      3708648649,
      1342533948,
      654459306,
      3188396048,
      3373015174,
      1466479909,
      544179635,
      3110523913,
      3462522015,
      1591671054,
      702138776,
      2966460450,
      3352799412,
      1504918807,
      783551873,
      3082640443,
      3233442989,
      3988292384,
      2596254646,
      62317068,
      1957810842,
      3939845945,
      2647816111,
      81470997,
      1943803523,
      3814918930,
      2489596804,
      225274430,
      2053790376,
      3826175755,
      2466906013,
      167816743,
      2097651377,
      4027552580,
      2265490386,
      503444072,
      1762050814,
      4150417245,
      2154129355,
      426522225,
      1852507879,
      4275313526,
      2312317920,
      282753626,
      1742555852,
      4189708143,
      2394877945,
      397917763,
      1622183637,
      3604390888,
      2714866558,
      953729732,
      1340076626,
      3518719985,
      2797360999,
      1068828381,
      1219638859,
      3624741850,
      2936675148,
      906185462,
      1090812512,
      3747672003,
      2825379669,
      829329135,
      1181335161,
      3412177804,
      3160834842,
      628085408,
      1382605366,
      3423369109,
      3138078467,
      570562233,
      1426400815,
      3317316542,
      2998733608,
      733239954,
      1555261956,
      3268935591,
      3050360625,
      752459403,
      1541320221,
      2607071920,
      3965973030,
      1969922972,
      40735498,
      2617837225,
      3943577151,
      1913087877,
      83908371,
      2512341634,
      3803740692,
      2075208622,
      213261112,
      2463272603,
      3855990285,
      2094854071,
      198958881,
      2262029012,
      4057260610,
      1759359992,
      534414190,
      2176718541,
      4139329115,
      1873836001,
      414664567,
      2282248934,
      4279200368,
      1711684554,
      285281116,
      2405801727,
      4167216745,
      1634467795,
      376229701,
      2685067896,
      3608007406,
      1308918612,
      956543938,
      2808555105,
      3495958263,
      1231636301,
      1047427035,
      2932959818,
      3654703836,
      1088359270,
      936918e3,
      2847714899,
      3736837829,
      1202900863,
      817233897,
      3183342108,
      3401237130,
      1404277552,
      615818150,
      3134207493,
      3453421203,
      1423857449,
      601450431,
      3009837614,
      3294710456,
      1567103746,
      711928724,
      3020668471,
      3272380065,
      1510334235,
      755167117
    ]);
    function crc322(buf) {
      let crc = -1;
      for (let x of buf) {
        crc = CRC_TABLE[(crc ^ x) & 255] ^ crc >>> 8;
      }
      return (crc ^ -1) >>> 0;
    }
    module.exports = crc322;
  }
});

// node_modules/yauzl/index.js
var require_yauzl = __commonJS({
  "node_modules/yauzl/index.js"(exports) {
    var fs = __require("fs");
    var zlib = __require("zlib");
    var fd_slicer = require_fd_slicer();
    var util = __require("util");
    var EventEmitter = __require("events").EventEmitter;
    var Transform2 = __require("stream").Transform;
    var PassThrough = __require("stream").PassThrough;
    var Writable = __require("stream").Writable;
    var crc322 = typeof zlib.crc32 === "function" ? zlib.crc32 : require_crc32();
    exports.open = open4;
    exports.fromFd = fromFd;
    exports.fromBuffer = fromBuffer;
    exports.fromRandomAccessReader = fromRandomAccessReader;
    exports.openPromise = openPromise;
    exports.fromFdPromise = fromFdPromise;
    exports.fromBufferPromise = fromBufferPromise;
    exports.fromRandomAccessReaderPromise = fromRandomAccessReaderPromise;
    exports.dosDateTimeToDate = dosDateTimeToDate;
    exports.getFileNameLowLevel = getFileNameLowLevel;
    exports.validateFileName = validateFileName;
    exports.parseExtraFields = parseExtraFields;
    exports.ZipFile = ZipFile;
    exports.Entry = Entry;
    exports.LocalFileHeader = LocalFileHeader;
    exports.RandomAccessReader = RandomAccessReader;
    function openPromise(path, options2) {
      return new Promise((resolve, reject) => {
        open4(path, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve(zipfile);
        });
      });
    }
    function fromFdPromise(fd, options2) {
      return new Promise((resolve, reject) => {
        fromFd(fd, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve(zipfile);
        });
      });
    }
    function fromBufferPromise(buffer, options2) {
      return new Promise((resolve, reject) => {
        fromBuffer(buffer, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve(zipfile);
        });
      });
    }
    function fromRandomAccessReaderPromise(reader, totalSize, options2) {
      return new Promise((resolve, reject) => {
        fromRandomAccessReader(reader, totalSize, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve(zipfile);
        });
      });
    }
    function open4(path, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      if (options2.autoClose == null) options2.autoClose = true;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      if (callback == null) callback = defaultCallback;
      fs.open(path, "r", function(err, fd) {
        if (err) return callback(err);
        fromFd(fd, options2, function(err2, zipfile) {
          if (err2) fs.close(fd, defaultCallback);
          callback(err2, zipfile);
        });
      });
    }
    function fromFd(fd, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      if (options2.autoClose == null) options2.autoClose = false;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      if (callback == null) callback = defaultCallback;
      fs.fstat(fd, function(err, stats) {
        if (err) return callback(err);
        var reader = new fd_slicer.FdSlicer(fd);
        fromRandomAccessReader(reader, stats.size, options2, callback);
      });
    }
    function fromBuffer(buffer, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      options2.autoClose = false;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      var reader = new fd_slicer.BufferSlicer(buffer);
      fromRandomAccessReader(reader, buffer.length, options2, callback);
    }
    function fromRandomAccessReader(reader, totalSize, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      if (options2.autoClose == null) options2.autoClose = true;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      var decodeStrings = !!options2.decodeStrings;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      if (callback == null) callback = defaultCallback;
      if (typeof totalSize !== "number") throw new Error("expected totalSize parameter to be a number");
      if (totalSize > Number.MAX_SAFE_INTEGER) {
        throw new Error("zip file too large. only file sizes up to 2^52 are supported due to JavaScript's Number type being an IEEE 754 double.");
      }
      reader.ref();
      var eocdrWithoutCommentSize = 22;
      var zip64EocdlSize = 20;
      var maxCommentSize = 65535;
      var bufferSize = Math.min(zip64EocdlSize + eocdrWithoutCommentSize + maxCommentSize, totalSize);
      var buffer = newBuffer(bufferSize);
      var bufferReadStart = totalSize - buffer.length;
      readAndAssertNoEof(reader, buffer, 0, bufferSize, bufferReadStart, function(err) {
        if (err) return callback(err);
        for (var i = bufferSize - eocdrWithoutCommentSize; i >= 0; i -= 1) {
          if (buffer.readUInt32LE(i) !== 101010256) continue;
          var eocdrBuffer = buffer.subarray(i);
          var diskNumber = eocdrBuffer.readUInt16LE(4);
          var entryCount = eocdrBuffer.readUInt16LE(10);
          var centralDirectoryOffset = eocdrBuffer.readUInt32LE(16);
          var commentLength = eocdrBuffer.readUInt16LE(20);
          var expectedCommentLength = eocdrBuffer.length - eocdrWithoutCommentSize;
          if (commentLength !== expectedCommentLength) {
            return callback(new Error("Invalid comment length. Expected: " + expectedCommentLength + ". Found: " + commentLength + ". Are there extra bytes at the end of the file? Or is the end of central dir signature `PK\u263A\u263B` in the comment?"));
          }
          var comment = decodeStrings ? decodeBuffer(eocdrBuffer.subarray(22), false) : eocdrBuffer.subarray(22);
          if (i - zip64EocdlSize >= 0 && buffer.readUInt32LE(i - zip64EocdlSize) === 117853008) {
            var zip64EocdlBuffer = buffer.subarray(i - zip64EocdlSize, i - zip64EocdlSize + zip64EocdlSize);
            var zip64EocdrOffset = readUInt64LE(zip64EocdlBuffer, 8);
            var zip64EocdrBuffer = newBuffer(56);
            return readAndAssertNoEof(reader, zip64EocdrBuffer, 0, zip64EocdrBuffer.length, zip64EocdrOffset, function(err2) {
              if (err2) return callback(err2);
              if (zip64EocdrBuffer.readUInt32LE(0) !== 101075792) {
                return callback(new Error("invalid zip64 end of central directory record signature"));
              }
              diskNumber = zip64EocdrBuffer.readUInt32LE(16);
              if (diskNumber !== 0) {
                return callback(new Error("multi-disk zip files are not supported: found disk number: " + diskNumber));
              }
              entryCount = readUInt64LE(zip64EocdrBuffer, 32);
              centralDirectoryOffset = readUInt64LE(zip64EocdrBuffer, 48);
              return callback(null, new ZipFile(reader, centralDirectoryOffset, totalSize, entryCount, comment, options2.autoClose, options2.lazyEntries, decodeStrings, options2.validateEntrySizes, options2.strictFileNames));
            });
          }
          if (diskNumber !== 0) {
            return callback(new Error("multi-disk zip files are not supported: found disk number: " + diskNumber));
          }
          return callback(null, new ZipFile(reader, centralDirectoryOffset, totalSize, entryCount, comment, options2.autoClose, options2.lazyEntries, decodeStrings, options2.validateEntrySizes, options2.strictFileNames));
        }
        callback(new Error("End of central directory record signature not found. Either not a zip file, or file is truncated."));
      });
    }
    util.inherits(ZipFile, EventEmitter);
    function ZipFile(reader, centralDirectoryOffset, fileSize, entryCount, comment, autoClose, lazyEntries, decodeStrings, validateEntrySizes, strictFileNames) {
      var self = this;
      EventEmitter.call(self);
      self.reader = reader;
      self.reader.on("error", function(err) {
        emitError(self, err);
      });
      self.reader.once("close", function() {
        self.emit("close");
      });
      self.readEntryCursor = centralDirectoryOffset;
      self.fileSize = fileSize;
      self.entryCount = entryCount;
      self.comment = comment;
      self.entriesRead = 0;
      self.autoClose = !!autoClose;
      self.lazyEntries = !!lazyEntries;
      self.decodeStrings = !!decodeStrings;
      self.validateEntrySizes = !!validateEntrySizes;
      self.strictFileNames = !!strictFileNames;
      self.isOpen = true;
      self.emittedError = false;
      self.hasEachEntryBeenCalled = false;
      if (!self.lazyEntries) self._readEntry();
    }
    ZipFile.prototype.close = function() {
      if (!this.isOpen) return;
      this.isOpen = false;
      this.reader.unref();
    };
    function emitErrorAndAutoClose(self, err) {
      if (self.autoClose) self.close();
      emitError(self, err);
    }
    function emitError(self, err) {
      if (self.emittedError) return;
      self.emittedError = true;
      self.emit("error", err);
    }
    ZipFile.prototype.readEntry = function() {
      if (!this.lazyEntries) throw new Error("readEntry() called without lazyEntries:true");
      this._readEntry();
    };
    ZipFile.prototype._readEntry = function() {
      var self = this;
      if (self.entryCount === self.entriesRead) {
        setImmediate(function() {
          if (self.autoClose) self.close();
          if (self.emittedError) return;
          self.emit("end");
        });
        return;
      }
      if (self.emittedError) return;
      var buffer = newBuffer(46);
      readAndAssertNoEof(self.reader, buffer, 0, buffer.length, self.readEntryCursor, function(err) {
        if (err) return emitErrorAndAutoClose(self, err);
        if (self.emittedError) return;
        var entry = new Entry();
        var signature = buffer.readUInt32LE(0);
        if (signature !== 33639248) return emitErrorAndAutoClose(self, new Error("invalid central directory file header signature: 0x" + signature.toString(16)));
        entry.versionMadeBy = buffer.readUInt16LE(4);
        entry.versionNeededToExtract = buffer.readUInt16LE(6);
        entry.generalPurposeBitFlag = buffer.readUInt16LE(8);
        entry.compressionMethod = buffer.readUInt16LE(10);
        entry.lastModFileTime = buffer.readUInt16LE(12);
        entry.lastModFileDate = buffer.readUInt16LE(14);
        entry.crc32 = buffer.readUInt32LE(16);
        entry.compressedSize = buffer.readUInt32LE(20);
        entry.uncompressedSize = buffer.readUInt32LE(24);
        entry.fileNameLength = buffer.readUInt16LE(28);
        entry.extraFieldLength = buffer.readUInt16LE(30);
        entry.fileCommentLength = buffer.readUInt16LE(32);
        entry.internalFileAttributes = buffer.readUInt16LE(36);
        entry.externalFileAttributes = buffer.readUInt32LE(38);
        entry.relativeOffsetOfLocalHeader = buffer.readUInt32LE(42);
        if (entry.generalPurposeBitFlag & 64) return emitErrorAndAutoClose(self, new Error("strong encryption is not supported"));
        self.readEntryCursor += 46;
        buffer = newBuffer(entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength);
        readAndAssertNoEof(self.reader, buffer, 0, buffer.length, self.readEntryCursor, function(err2) {
          if (err2) return emitErrorAndAutoClose(self, err2);
          if (self.emittedError) return;
          entry.fileNameRaw = buffer.subarray(0, entry.fileNameLength);
          var fileCommentStart = entry.fileNameLength + entry.extraFieldLength;
          entry.extraFieldRaw = buffer.subarray(entry.fileNameLength, fileCommentStart);
          entry.fileCommentRaw = buffer.subarray(fileCommentStart, fileCommentStart + entry.fileCommentLength);
          try {
            entry.extraFields = parseExtraFields(entry.extraFieldRaw);
          } catch (err3) {
            return emitErrorAndAutoClose(self, err3);
          }
          if (self.decodeStrings) {
            var isUtf8 = (entry.generalPurposeBitFlag & 2048) !== 0;
            entry.fileComment = decodeBuffer(entry.fileCommentRaw, isUtf8);
            entry.fileName = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, self.strictFileNames);
            var errorMessage = validateFileName(entry.fileName);
            if (errorMessage != null) return emitErrorAndAutoClose(self, new Error(errorMessage));
          } else {
            entry.fileComment = entry.fileCommentRaw;
            entry.fileName = entry.fileNameRaw;
          }
          entry.comment = entry.fileComment;
          self.readEntryCursor += buffer.length;
          self.entriesRead += 1;
          for (var i = 0; i < entry.extraFields.length; i++) {
            var extraField = entry.extraFields[i];
            if (extraField.id !== 1) continue;
            var zip64EiefBuffer = extraField.data;
            var index = 0;
            if (entry.uncompressedSize === 4294967295) {
              if (index + 8 > zip64EiefBuffer.length) {
                return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include uncompressed size"));
              }
              entry.uncompressedSize = readUInt64LE(zip64EiefBuffer, index);
              index += 8;
            }
            if (entry.compressedSize === 4294967295) {
              if (index + 8 > zip64EiefBuffer.length) {
                return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include compressed size"));
              }
              entry.compressedSize = readUInt64LE(zip64EiefBuffer, index);
              index += 8;
            }
            if (entry.relativeOffsetOfLocalHeader === 4294967295) {
              if (index + 8 > zip64EiefBuffer.length) {
                return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include relative header offset"));
              }
              entry.relativeOffsetOfLocalHeader = readUInt64LE(zip64EiefBuffer, index);
              index += 8;
            }
            break;
          }
          if (self.validateEntrySizes && entry.compressionMethod === 0) {
            var expectedCompressedSize = entry.uncompressedSize;
            if (entry.isEncrypted()) {
              expectedCompressedSize += 12;
            }
            if (entry.compressedSize !== expectedCompressedSize) {
              var msg = "compressed/uncompressed size mismatch for stored file: " + entry.compressedSize + " != " + entry.uncompressedSize;
              return emitErrorAndAutoClose(self, new Error(msg));
            }
          }
          self.emit("entry", entry);
          if (!self.lazyEntries) self._readEntry();
        });
      });
    };
    ZipFile.prototype.eachEntry = function() {
      const self = this;
      if (!self.lazyEntries) throw new Error("eachEntry() requires lazyEntries: true");
      if (self.hasEachEntryBeenCalled) throw new Error("eachEntry() must only be called once per ZipFile");
      self.hasEachEntryBeenCalled = true;
      let pendingResolveReject = null;
      self.on("entry", onEntry);
      self.on("end", onEnd);
      self.on("error", onError);
      function cleanup() {
        self.removeListener("entry", onEntry);
        self.removeListener("end", onEnd);
        self.removeListener("error", onError);
        if (self.autoClose) self.close();
      }
      function onEntry(entry) {
        let { resolve } = pendingResolveReject;
        pendingResolveReject = null;
        resolve({ value: entry });
      }
      function onEnd() {
        let { resolve } = pendingResolveReject;
        pendingResolveReject = null;
        cleanup();
        resolve({ done: true });
      }
      function onError(err) {
        let { reject } = pendingResolveReject;
        pendingResolveReject = null;
        cleanup();
        reject(err);
      }
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        next() {
          const promise = new Promise((resolve, reject) => {
            if (pendingResolveReject != null) throw new Error("next() called before previous Promise was resolved.");
            pendingResolveReject = { resolve, reject };
          });
          self.readEntry();
          return promise;
        },
        return(value) {
          cleanup();
          return Promise.resolve({ done: true, value });
        },
        throw(value) {
          cleanup();
          return Promise.reject(value);
        }
      };
    };
    ZipFile.prototype.openReadStream = function(entry, options2, callback) {
      var self = this;
      var relativeStart = 0;
      var relativeEnd = entry.compressedSize;
      if (callback == null) {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) {
        options2 = {};
      } else {
        if (options2.decodeFileData === false) {
          if (options2.decrypt != null) {
            throw new Error("cannot use options.decrypt when options.decodeFileData === false");
          }
          if (options2.decompress != null) {
            throw new Error("cannot use options.decompress when options.decodeFileData === false");
          }
        } else {
          if (options2.decrypt != null) {
            if (!entry.isEncrypted()) {
              throw new Error("options.decrypt can only be specified for encrypted entries. See also option decodeFileData.");
            }
            if (options2.decrypt !== false) throw new Error("invalid options.decrypt value: " + options2.decrypt);
            if (entry.isCompressed()) {
              if (options2.decompress !== false) throw new Error("entry is encrypted and compressed, and options.decompress !== false. See also option decodeFileData.");
            }
          }
          if (options2.decompress != null) {
            if (!entry.isCompressed()) {
              throw new Error("options.decompress can only be specified for compressed entries. See also option decodeFileData.");
            }
            if (!(options2.decompress === false || options2.decompress === true)) {
              throw new Error("invalid options.decompress value: " + options2.decompress);
            }
            decompress = options2.decompress;
          }
        }
        if (options2.start != null) {
          relativeStart = options2.start;
          if (relativeStart < 0) throw new Error("options.start < 0");
          if (relativeStart > entry.compressedSize) throw new Error("options.start > entry.compressedSize");
        }
        if (options2.end != null) {
          relativeEnd = options2.end;
          if (relativeEnd < 0) throw new Error("options.end < 0");
          if (relativeEnd > entry.compressedSize) throw new Error("options.end > entry.compressedSize");
          if (relativeEnd < relativeStart) throw new Error("options.end < options.start");
        }
      }
      var rawMode = options2.decodeFileData === false || // Explicitly requested raw.
      (entry.compressionMethod === 0 || // Naturally without compression.
      entry.compressionMethod === 8 && options2.decompress === false) && (!entry.isEncrypted() || // Naturally without encryption.
      options2.decrypt === false);
      if (options2.start != null || options2.end != null) {
        if (!rawMode) throw new Error("start/end range require options.decodeFileData === false for non-trivial encoded entries.");
      }
      if (!self.isOpen) return callback(new Error("closed"));
      if (entry.isEncrypted() && !rawMode) {
        if (options2.decrypt !== false) return callback(new Error("entry is encrypted, and options.decodeFileData !== false"));
      }
      var decompress;
      if (rawMode) {
        decompress = false;
      } else if (entry.compressionMethod === 8) {
        decompress = options2.decodeFileData !== true;
      } else {
        return callback(new Error("unsupported compression method: " + entry.compressionMethod));
      }
      self.readLocalFileHeader(entry, { minimal: true }, function(err, localFileHeader) {
        if (err) return callback(err);
        self.openReadStreamLowLevel(
          localFileHeader.fileDataStart,
          entry.compressedSize,
          relativeStart,
          relativeEnd,
          decompress,
          entry.uncompressedSize,
          callback
        );
      });
    };
    ZipFile.prototype.openReadStreamLowLevel = function(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize, callback) {
      var self = this;
      var fileDataEnd = fileDataStart + compressedSize;
      var readStream = self.reader.createReadStream({
        start: fileDataStart + relativeStart,
        end: fileDataStart + relativeEnd
      });
      var endpointStream = readStream;
      if (decompress) {
        var destroyed = false;
        var inflateFilter = zlib.createInflateRaw();
        readStream.on("error", function(err) {
          setImmediate(function() {
            if (!destroyed) inflateFilter.emit("error", err);
          });
        });
        readStream.pipe(inflateFilter);
        if (self.validateEntrySizes) {
          endpointStream = new AssertByteCountStream(uncompressedSize);
          inflateFilter.on("error", function(err) {
            setImmediate(function() {
              if (!destroyed) endpointStream.emit("error", err);
            });
          });
          inflateFilter.pipe(endpointStream);
        } else {
          endpointStream = inflateFilter;
        }
        installDestroyFn(endpointStream, function() {
          destroyed = true;
          if (inflateFilter !== endpointStream) inflateFilter.unpipe(endpointStream);
          readStream.unpipe(inflateFilter);
          readStream.destroy();
        });
      }
      callback(null, endpointStream);
    };
    ZipFile.prototype.readLocalFileHeader = function(entry, options2, callback) {
      var self = this;
      if (callback == null) {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      self.reader.ref();
      var buffer = newBuffer(30);
      readAndAssertNoEof(self.reader, buffer, 0, buffer.length, entry.relativeOffsetOfLocalHeader, function(err) {
        try {
          if (err) return callback(err);
          var signature = buffer.readUInt32LE(0);
          if (signature !== 67324752) {
            return callback(new Error("invalid local file header signature: 0x" + signature.toString(16)));
          }
          var fileNameLength = buffer.readUInt16LE(26);
          var extraFieldLength = buffer.readUInt16LE(28);
          var fileDataStart = entry.relativeOffsetOfLocalHeader + 30 + fileNameLength + extraFieldLength;
          if (fileDataStart + entry.compressedSize > self.fileSize) {
            return callback(new Error("file data overflows file bounds: " + fileDataStart + " + " + entry.compressedSize + " > " + self.fileSize));
          }
          if (options2.minimal) {
            return callback(null, { fileDataStart });
          }
          var localFileHeader = new LocalFileHeader();
          localFileHeader.fileDataStart = fileDataStart;
          localFileHeader.versionNeededToExtract = buffer.readUInt16LE(4);
          localFileHeader.generalPurposeBitFlag = buffer.readUInt16LE(6);
          localFileHeader.compressionMethod = buffer.readUInt16LE(8);
          localFileHeader.lastModFileTime = buffer.readUInt16LE(10);
          localFileHeader.lastModFileDate = buffer.readUInt16LE(12);
          localFileHeader.crc32 = buffer.readUInt32LE(14);
          localFileHeader.compressedSize = buffer.readUInt32LE(18);
          localFileHeader.uncompressedSize = buffer.readUInt32LE(22);
          localFileHeader.fileNameLength = fileNameLength;
          localFileHeader.extraFieldLength = extraFieldLength;
          buffer = newBuffer(fileNameLength + extraFieldLength);
          self.reader.ref();
          readAndAssertNoEof(self.reader, buffer, 0, buffer.length, entry.relativeOffsetOfLocalHeader + 30, function(err2) {
            try {
              if (err2) return callback(err2);
              localFileHeader.fileName = buffer.subarray(0, fileNameLength);
              localFileHeader.extraField = buffer.subarray(fileNameLength);
              return callback(null, localFileHeader);
            } finally {
              self.reader.unref();
            }
          });
        } finally {
          self.reader.unref();
        }
      });
    };
    ZipFile.prototype.openReadStreamPromise = function(entry, options2) {
      return new Promise((resolve, reject) => {
        this.openReadStream(entry, options2, function(err, readStream) {
          if (err) return reject(err);
          resolve(readStream);
        });
      });
    };
    ZipFile.prototype.openReadStreamLowLevelPromise = function(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize) {
      return new Promise((resolve, reject) => {
        this.openReadStream(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize, function(err, readStream) {
          if (err) return reject(err);
          resolve(readStream);
        });
      });
    };
    ZipFile.prototype.readLocalFileHeaderPromise = function(entry, options2) {
      return new Promise((resolve, reject) => {
        this.readLocalFileHeader(entry, options2, function(err, localFileHeader) {
          if (err) return reject(err);
          resolve(localFileHeader);
        });
      });
    };
    function Entry() {
    }
    Entry.prototype.getLastModDate = function(options2) {
      if (options2 == null) options2 = {};
      if (!options2.forceDosFormat) {
        for (var i = 0; i < this.extraFields.length; i++) {
          var extraField = this.extraFields[i];
          if (extraField.id === 21589) {
            var data = extraField.data;
            if (data.length < 5) continue;
            var flags = data[0];
            var HAS_MTIME = 1;
            if (!(flags & HAS_MTIME)) continue;
            var posixTimestamp = data.readInt32LE(1);
            return new Date(posixTimestamp * 1e3);
          } else if (extraField.id === 10) {
            var data = extraField.data;
            if (data.length !== 32) continue;
            if (data.readUInt16LE(4) !== 1) continue;
            if (data.readUInt16LE(6) !== 24) continue;
            var hundredNanoSecondsSince1601 = data.readUInt32LE(8) + 4294967296 * data.readInt32LE(12);
            var millisecondsSince1970 = hundredNanoSecondsSince1601 / 1e4 - 116444736e5;
            return new Date(millisecondsSince1970);
          }
        }
      }
      return dosDateTimeToDate(this.lastModFileDate, this.lastModFileTime, options2.timezone);
    };
    Entry.prototype.canDecodeFileData = function() {
      return !this.isEncrypted() && (this.compressionMethod === 0 || this.compressionMethod === 8);
    };
    Entry.prototype.isEncrypted = function() {
      return (this.generalPurposeBitFlag & 1) !== 0;
    };
    Entry.prototype.isCompressed = function() {
      return this.compressionMethod === 8;
    };
    function LocalFileHeader() {
    }
    function dosDateTimeToDate(date, time, timezone) {
      var day = date & 31;
      var month = (date >> 5 & 15) - 1;
      var year = (date >> 9 & 127) + 1980;
      var millisecond = 0;
      var second = (time & 31) * 2;
      var minute = time >> 5 & 63;
      var hour = time >> 11 & 31;
      if (timezone == null || timezone === "local") {
        return new Date(year, month, day, hour, minute, second, millisecond);
      } else if (timezone === "UTC") {
        return new Date(Date.UTC(year, month, day, hour, minute, second, millisecond));
      } else {
        throw new Error("unrecognized options.timezone: " + options.timezone);
      }
    }
    function getFileNameLowLevel(generalPurposeBitFlag, fileNameBuffer, extraFields, strictFileNames) {
      var fileName = null;
      for (var i = 0; i < extraFields.length; i++) {
        var extraField = extraFields[i];
        if (extraField.id === 28789) {
          if (extraField.data.length < 6) {
            continue;
          }
          if (extraField.data.readUInt8(0) !== 1) {
            continue;
          }
          var oldNameCrc32 = extraField.data.readUInt32LE(1);
          if (crc322(fileNameBuffer) !== oldNameCrc32) {
            continue;
          }
          fileName = decodeBuffer(extraField.data.subarray(5), true);
          break;
        }
      }
      if (fileName == null) {
        var isUtf8 = (generalPurposeBitFlag & 2048) !== 0;
        fileName = decodeBuffer(fileNameBuffer, isUtf8);
      }
      if (!strictFileNames) {
        fileName = fileName.replace(/\\/g, "/");
      }
      return fileName;
    }
    function validateFileName(fileName) {
      if (fileName.indexOf("\\") !== -1) {
        return "invalid characters in fileName: " + fileName;
      }
      if (/^[a-zA-Z]:/.test(fileName) || /^\//.test(fileName)) {
        return "absolute path: " + fileName;
      }
      if (fileName.split("/").indexOf("..") !== -1) {
        return "invalid relative path: " + fileName;
      }
      return null;
    }
    function parseExtraFields(extraFieldBuffer) {
      var extraFields = [];
      var i = 0;
      while (i < extraFieldBuffer.length - 3) {
        var headerId = extraFieldBuffer.readUInt16LE(i + 0);
        var dataSize = extraFieldBuffer.readUInt16LE(i + 2);
        var dataStart = i + 4;
        var dataEnd = dataStart + dataSize;
        if (dataEnd > extraFieldBuffer.length) throw new Error("extra field length exceeds extra field buffer size");
        var dataBuffer = extraFieldBuffer.subarray(dataStart, dataEnd);
        extraFields.push({
          id: headerId,
          data: dataBuffer
        });
        i = dataEnd;
      }
      return extraFields;
    }
    function readAndAssertNoEof(reader, buffer, offset, length, position, callback) {
      if (length === 0) {
        return setImmediate(function() {
          callback(null, newBuffer(0));
        });
      }
      reader.read(buffer, offset, length, position, function(err, bytesRead) {
        if (err) return callback(err);
        if (bytesRead < length) {
          return callback(new Error("unexpected EOF"));
        }
        callback();
      });
    }
    util.inherits(AssertByteCountStream, Transform2);
    function AssertByteCountStream(byteCount) {
      Transform2.call(this);
      this.actualByteCount = 0;
      this.expectedByteCount = byteCount;
    }
    AssertByteCountStream.prototype._transform = function(chunk, encoding, cb) {
      this.actualByteCount += chunk.length;
      if (this.actualByteCount > this.expectedByteCount) {
        var msg = "too many bytes in the stream. expected " + this.expectedByteCount + ". got at least " + this.actualByteCount;
        return cb(new Error(msg));
      }
      cb(null, chunk);
    };
    AssertByteCountStream.prototype._flush = function(cb) {
      if (this.actualByteCount < this.expectedByteCount) {
        var msg = "not enough bytes in the stream. expected " + this.expectedByteCount + ". got only " + this.actualByteCount;
        return cb(new Error(msg));
      }
      cb();
    };
    util.inherits(RandomAccessReader, EventEmitter);
    function RandomAccessReader() {
      EventEmitter.call(this);
      this.refCount = 0;
    }
    RandomAccessReader.prototype.ref = function() {
      this.refCount += 1;
    };
    RandomAccessReader.prototype.unref = function() {
      var self = this;
      self.refCount -= 1;
      if (self.refCount > 0) return;
      if (self.refCount < 0) throw new Error("invalid unref");
      self.close(onCloseDone);
      function onCloseDone(err) {
        if (err) return self.emit("error", err);
        self.emit("close");
      }
    };
    RandomAccessReader.prototype.createReadStream = function(options2) {
      if (options2 == null) options2 = {};
      var start = options2.start;
      var end = options2.end;
      if (start === end) {
        var emptyStream = new PassThrough();
        setImmediate(function() {
          emptyStream.end();
        });
        return emptyStream;
      }
      var stream = this._readStreamForRange(start, end);
      var destroyed = false;
      var refUnrefFilter = new RefUnrefFilter(this);
      stream.on("error", function(err) {
        setImmediate(function() {
          if (!destroyed) refUnrefFilter.emit("error", err);
        });
      });
      installDestroyFn(refUnrefFilter, function() {
        stream.unpipe(refUnrefFilter);
        refUnrefFilter.unref();
        stream.destroy();
      });
      var byteCounter = new AssertByteCountStream(end - start);
      refUnrefFilter.on("error", function(err) {
        setImmediate(function() {
          if (!destroyed) byteCounter.emit("error", err);
        });
      });
      installDestroyFn(byteCounter, function() {
        destroyed = true;
        refUnrefFilter.unpipe(byteCounter);
        refUnrefFilter.destroy();
      });
      return stream.pipe(refUnrefFilter).pipe(byteCounter);
    };
    RandomAccessReader.prototype._readStreamForRange = function(start, end) {
      throw new Error("not implemented");
    };
    RandomAccessReader.prototype.read = function(buffer, offset, length, position, callback) {
      var readStream = this.createReadStream({ start: position, end: position + length });
      var writeStream = new Writable();
      var written = 0;
      writeStream._write = function(chunk, encoding, cb) {
        chunk.copy(buffer, offset + written, 0, chunk.length);
        written += chunk.length;
        cb();
      };
      writeStream.on("finish", callback);
      readStream.on("error", function(error) {
        callback(error);
      });
      readStream.pipe(writeStream);
    };
    RandomAccessReader.prototype.close = function(callback) {
      setImmediate(callback);
    };
    util.inherits(RefUnrefFilter, PassThrough);
    function RefUnrefFilter(context) {
      PassThrough.call(this);
      this.context = context;
      this.context.ref();
      this.unreffedYet = false;
    }
    RefUnrefFilter.prototype._flush = function(cb) {
      this.unref();
      cb();
    };
    RefUnrefFilter.prototype.unref = function(cb) {
      if (this.unreffedYet) return;
      this.unreffedYet = true;
      this.context.unref();
    };
    var cp437 = "\0\u263A\u263B\u2665\u2666\u2663\u2660\u2022\u25D8\u25CB\u25D9\u2642\u2640\u266A\u266B\u263C\u25BA\u25C4\u2195\u203C\xB6\xA7\u25AC\u21A8\u2191\u2193\u2192\u2190\u221F\u2194\u25B2\u25BC !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u2302\xC7\xFC\xE9\xE2\xE4\xE0\xE5\xE7\xEA\xEB\xE8\xEF\xEE\xEC\xC4\xC5\xC9\xE6\xC6\xF4\xF6\xF2\xFB\xF9\xFF\xD6\xDC\xA2\xA3\xA5\u20A7\u0192\xE1\xED\xF3\xFA\xF1\xD1\xAA\xBA\xBF\u2310\xAC\xBD\xBC\xA1\xAB\xBB\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255D\u255C\u255B\u2510\u2514\u2534\u252C\u251C\u2500\u253C\u255E\u255F\u255A\u2554\u2569\u2566\u2560\u2550\u256C\u2567\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256B\u256A\u2518\u250C\u2588\u2584\u258C\u2590\u2580\u03B1\xDF\u0393\u03C0\u03A3\u03C3\xB5\u03C4\u03A6\u0398\u03A9\u03B4\u221E\u03C6\u03B5\u2229\u2261\xB1\u2265\u2264\u2320\u2321\xF7\u2248\xB0\u2219\xB7\u221A\u207F\xB2\u25A0\xA0";
    function decodeBuffer(buffer, isUtf8) {
      if (isUtf8) {
        return buffer.toString("utf8");
      } else {
        var result = "";
        for (var i = 0; i < buffer.length; i++) {
          result += cp437[buffer[i]];
        }
        return result;
      }
    }
    function readUInt64LE(buffer, offset) {
      var lower32 = buffer.readUInt32LE(offset);
      var upper32 = buffer.readUInt32LE(offset + 4);
      return upper32 * 4294967296 + lower32;
    }
    var newBuffer;
    if (typeof Buffer.allocUnsafe === "function") {
      newBuffer = function(len) {
        return Buffer.allocUnsafe(len);
      };
    } else {
      newBuffer = function(len) {
        return new Buffer(len);
      };
    }
    function installDestroyFn(stream, fn) {
      if (typeof stream.destroy === "function") {
        stream._destroy = function(err, cb) {
          fn();
          if (cb != null) cb(err);
        };
      } else {
        stream.destroy = fn;
      }
    }
    function defaultCallback(err) {
      if (err) throw err;
    }
  }
});

// src/action/run-steps.ts
import { rm as rm5 } from "node:fs/promises";

// src/action/artifacts/download.ts
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join3 } from "node:path";

// src/action/artifacts/extract-backup.ts
var import_yauzl = __toESM(require_yauzl(), 1);
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
var MAX_RATIO = 200;
var MAX_ENTRIES = 64;
async function extractBackup(zipFile, into, artifact) {
  const zip = await openZip(zipFile, artifact);
  try {
    await extractFrom(zip, into, artifact);
  } finally {
    zip.close();
  }
}
async function extractFrom(zip, into, artifact) {
  const entries = await readEntries(zip, artifact);
  const manifestEntry = single(entries, MANIFEST_FILE, artifact);
  if (!manifestEntry) throw bad(artifact, `it has no ${MANIFEST_FILE}, so it is not a backup`);
  if (manifestEntry.zipped.uncompressedSize > MAX_MANIFEST_BYTES) {
    throw bad(
      artifact,
      `its ${MANIFEST_FILE} declares ${manifestEntry.zipped.uncompressedSize} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`
    );
  }
  const packBytes = Math.max(
    0,
    ...entries.filter((entry) => isPackName(entry.name)).map((entry) => entry.zipped.uncompressedSize)
  );
  if (manifestEntry.zipped.uncompressedSize > manifestByteLimit(packBytes)) {
    throw bad(
      artifact,
      `its ${MANIFEST_FILE} declares ${manifestEntry.zipped.uncompressedSize} bytes, over the ${manifestByteLimit(packBytes)}-byte cap for a ${packBytes}-byte pack`
    );
  }
  await extractEntry(zip, manifestEntry, join(into, MANIFEST_FILE), artifact);
  const signature = single(entries, SIGNATURE_FILE, artifact);
  if (signature && signature.zipped.uncompressedSize <= MAX_SIGNATURE_BYTES)
    await extractEntry(zip, signature, join(into, SIGNATURE_FILE), artifact);
  const pack = packOf(await readFile(join(into, MANIFEST_FILE), "utf8"));
  if (!pack) return;
  const packEntry = single(entries, pack.file, artifact);
  if (!packEntry) return;
  if (packEntry.zipped.uncompressedSize !== pack.size) {
    throw bad(
      artifact,
      `its ${pack.file} declares ${packEntry.zipped.uncompressedSize} bytes, the manifest says ${pack.size}`
    );
  }
  await extractEntry(zip, packEntry, join(into, pack.file), artifact);
}
var PACK_NAMES = /* @__PURE__ */ new Set([PACK_FILE, ENCRYPTED_PACK_FILE, ...PACK_FILES_V2]);
function packOf(text) {
  try {
    const pack = JSON.parse(text).pack;
    if (isPackName(pack?.file) && typeof pack?.size === "number") {
      return { file: pack.file, size: pack.size };
    }
  } catch {
  }
  return void 0;
}
function isPackName(name) {
  return typeof name === "string" && PACK_NAMES.has(name);
}
function single(entries, name, artifact) {
  const found = entries.filter((entry) => entry.name === name);
  if (found.length > 1) throw bad(artifact, `it holds ${name} ${found.length} times`);
  return found[0];
}
function openZip(zipFile, artifact) {
  const options2 = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false };
  return new Promise((resolve, reject) => {
    import_yauzl.default.open(zipFile, options2, (error, zip) => {
      if (error) reject(bad(artifact, `it is not a zip that can be read (${error.message})`));
      else resolve(zip);
    });
  });
}
function readEntries(zip, artifact) {
  if (zip.entryCount > MAX_ENTRIES)
    throw bad(
      artifact,
      `it has ${zip.entryCount} entries; a backup has at most three: ${MANIFEST_FILE}, ${SIGNATURE_FILE} and its pack`
    );
  return new Promise((resolve, reject) => {
    const entries = [];
    zip.on("entry", (zipped) => {
      entries.push({ name: zipped.fileName.toString("utf8"), zipped });
      zip.readEntry();
    });
    zip.on("end", () => resolve(entries));
    zip.on(
      "error",
      (error) => reject(bad(artifact, `its central directory is damaged (${error.message})`))
    );
    zip.readEntry();
  });
}
function openEntry(zip, entry, artifact) {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry.zipped, (error, stream) => {
      if (error) reject(bad(artifact, `${entry.name} cannot be read (${error.message})`));
      else resolve(stream);
    });
  });
}
async function extractEntry(zip, entry, target, artifact) {
  const what = `${entry.name} in artifact "${artifact}"`;
  const { compressedSize, uncompressedSize: size, compressionMethod, crc32: expectedCrc } = entry.zipped;
  if (entry.zipped.isEncrypted()) throw bad(artifact, `${entry.name} is encrypted with zip encryption`);
  if (compressionMethod !== 0 && compressionMethod !== 8)
    throw bad(artifact, `${entry.name} uses compression method ${compressionMethod}`);
  if (size > Math.max(64 * 1024, compressedSize * MAX_RATIO)) {
    throw bad(artifact, `${entry.name} would inflate ${compressedSize} bytes into ${size} (a zip bomb)`);
  }
  let written = 0;
  let crc = 0;
  const limit = new Transform({
    transform(chunk, _encoding, done) {
      written += chunk.length;
      if (written > size) {
        done(bad(artifact, `${entry.name} inflates past the ${size} bytes it declares (a zip bomb)`));
        return;
      }
      crc = crc32(chunk, crc);
      done(null, chunk);
    }
  });
  const source = await openEntry(zip, entry, artifact);
  const out = await open(target, "wx", 384);
  try {
    await pipeline(source, limit, out.createWriteStream());
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw bad(artifact, `${what} cannot be inflated (${error.message})`);
  } finally {
    await out.close().catch(() => {
    });
  }
  if (written !== size) throw bad(artifact, `${what} holds ${written} bytes, its entry says ${size}`);
  if (crc >>> 0 !== expectedCrc) throw bad(artifact, `the CRC-32 of ${what} does not match`);
}
function bad(artifact, problem) {
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    `Artifact "${artifact}" cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`
  );
}

// src/action/artifacts/upload.ts
import { join as join2 } from "node:path";
async function uploadBackup(client, backup, spec, name, context) {
  const packed = backup.manifest.encryption !== null || "compression" in backup.manifest && backup.manifest.compression === "gzip";
  if (spec.overwrite) await deleteIfPresent(client, name);
  const files = backup.files.map((file) => join2(backup.path, file));
  const compressionLevel = packed ? 0 : spec.compressionLevel;
  log.info(logText`Uploading ${files.length} file(s) from ${backup.path} as artifact "${name}".`);
  let response;
  try {
    response = await client.uploadArtifact(name, files, backup.path, {
      ...spec.retentionDays === void 0 ? {} : { retentionDays: spec.retentionDays },
      ...compressionLevel === void 0 ? {} : { compressionLevel }
    });
  } catch (error) {
    throw uploadError(error, name, spec);
  }
  if (response.id === void 0) {
    throw new LicenseBackupError(
      "IO_ERROR",
      `The artifact service did not return an ID for artifact "${name}".`
    );
  }
  const uploaded = {
    name,
    id: response.id,
    url: artifactUrl(context, response.id),
    digest: response.digest ?? "",
    size: response.size ?? 0
  };
  log.info(logText`Uploaded artifact "${name}" (ID ${uploaded.id}, ${uploaded.size} bytes): ${uploaded.url}`);
  return uploaded;
}
async function deleteIfPresent(client, name) {
  try {
    await client.deleteArtifact(name);
    log.info(logText`Deleted the earlier artifact "${name}" (artifact.overwrite: true).`);
  } catch (error) {
    if (isNotFound(error)) return;
    throw new LicenseBackupError(
      "IO_ERROR",
      `Could not delete the earlier artifact "${name}": ${messageOf(error)}`,
      {
        cause: error
      }
    );
  }
}
function uploadError(error, name, spec) {
  const message = messageOf(error);
  if (/\(409\)|conflict|already exists/i.test(message)) {
    return new ConfigError(
      `an artifact named "${name}" already exists in this run and \`artifact.overwrite\` is ${spec.overwrite ? "true" : "false"}: set \`overwrite: true\` to replace it, or give the artifact another \`name\`.`,
      spec.at
    );
  }
  return new LicenseBackupError("IO_ERROR", `Uploading artifact "${name}" failed: ${message}`, {
    cause: error
  });
}
function isNotFound(error) {
  return error instanceof Error && error.name === "ArtifactNotFoundError" || /not found|\(404\)/i.test(messageOf(error));
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

// src/action/artifacts/github-api.ts
async function githubGet(api, path, query = {}) {
  const url = new URL(`${api.apiUrl.replace(/\/+$/, "")}${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
  let response;
  try {
    response = await api.fetch(url, {
      headers: {
        Authorization: `Bearer ${api.token}`,
        Accept: "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28"
      }
    });
  } catch (error) {
    throw new LicenseBackupError(
      "IO_ERROR",
      `Could not reach the GitHub API at ${url.href}: ${String(error)}`,
      {
        url: url.href,
        cause: error
      }
    );
  }
  if (response.status === 404) return void 0;
  if (response.status === 401 || response.status === 403) {
    throw new LicenseBackupError(
      "UNAUTHORIZED",
      `The GitHub API refused ${url.pathname} (HTTP ${response.status}): give the \`github-token\` input a token with \`actions: read\` on that repository.`,
      { url: url.href }
    );
  }
  if (!response.ok) {
    throw new LicenseBackupError(
      "IO_ERROR",
      `The GitHub API answered HTTP ${response.status} to ${url.href}.`,
      {
        url: url.href
      }
    );
  }
  try {
    return await response.json();
  } catch (error) {
    throw new LicenseBackupError(
      "IO_ERROR",
      `The GitHub API answered ${url.href} with something other than JSON.`,
      {
        url: url.href,
        cause: error
      }
    );
  }
}

// src/action/artifacts/workflow-runs.ts
import { readFile as readFile2 } from "node:fs/promises";
var DEFAULT_EVENTS = ["schedule", "push", "workflow_dispatch"];
var MAX_RUN_PAGES = 5;
function distrust(run, policy) {
  if (policy.events && !policy.events.includes(run.event)) {
    return `its event ${run.event} is not one of ${policy.events.join(", ")}`;
  }
  if (policy.branch !== void 0 && run.branch !== policy.branch) {
    return `its branch ${run.branch} is not ${policy.branch}`;
  }
  if (!policy.allowForks && !fromRepository(run, policy.repository)) {
    return `its head repository ${run.headRepository ?? "(none)"} is not ${policy.repository} (a fork; \`allow-forks: true\` would accept it)`;
  }
  return void 0;
}
function fromRepository(run, repository) {
  if (run.headRepository?.toLowerCase() !== repository.toLowerCase()) return false;
  return run.headRepositoryId === void 0 || run.headRepositoryId === run.repositoryId;
}
function describeRun(run) {
  const number = run.number === void 0 ? "" : `#${run.number}, `;
  return `run ${run.id} (${number}event ${run.event}, branch ${run.branch}, commit ${run.sha.slice(0, 12)})`;
}
async function getRun(api, repository, id) {
  return toRun(await githubGet(api, `/repos/${repository}/actions/runs/${id}`));
}
async function listRuns(api, repository, workflow, branch) {
  const path = `/repos/${repository}/actions/workflows/${encodeURIComponent(workflow)}/runs`;
  const query = { status: "success", branch, per_page: 100 };
  const first = await githubGet(api, path, { ...query, page: 1 });
  if (first === void 0) return void 0;
  return (async function* () {
    let page = first;
    for (let n = 1; ; ) {
      const runs = (page?.workflow_runs ?? []).flatMap((json) => {
        const run = toRun(json);
        return run ? [run] : [];
      });
      yield* runs;
      if (runs.length < query.per_page || ++n > MAX_RUN_PAGES) return;
      page = await githubGet(api, path, { ...query, page: n });
    }
  })();
}
async function defaultBranch(api, repository, eventPath) {
  const fromEvent = eventPath ? await payloadDefaultBranch(eventPath, repository) : void 0;
  if (fromEvent) return fromEvent;
  const repo = await githubGet(api, `/repos/${repository}`);
  return typeof repo?.default_branch === "string" && repo.default_branch !== "" ? repo.default_branch : void 0;
}
async function payloadDefaultBranch(eventPath, repository) {
  try {
    const payload = JSON.parse(await readFile2(eventPath, "utf8"));
    const repo = payload.repository;
    if (typeof repo?.full_name !== "string" || repo.full_name.toLowerCase() !== repository.toLowerCase())
      return;
    return typeof repo.default_branch === "string" && repo.default_branch !== "" ? repo.default_branch : void 0;
  } catch {
    return void 0;
  }
}
function toRun(json) {
  const run = json;
  if (typeof run?.["id"] !== "number") return void 0;
  const head = run["head_repository"];
  const repository = run["repository"];
  return {
    id: run["id"],
    ...typeof run["run_number"] === "number" ? { number: run["run_number"] } : {},
    event: String(run["event"] ?? ""),
    branch: String(run["head_branch"] ?? ""),
    sha: String(run["head_sha"] ?? ""),
    ...typeof head?.full_name === "string" ? { headRepository: head.full_name } : {},
    ...typeof head?.id === "number" ? { headRepositoryId: head.id } : {},
    ...typeof repository?.id === "number" ? { repositoryId: repository.id } : {}
  };
}

// src/action/artifacts/select-artifact.ts
var DAY_MS = 864e5;
var EXPIRY_WARNING_DAYS = 7;
var MAX_ARTIFACT_LOOKUPS = 50;
var SKIPPED_LINES = 20;
async function selectArtifact(source, context) {
  const selection = source.artifactId !== void 0 ? await byArtifactId(source, source.artifactId, context) : source.runId !== void 0 ? await byRunId(source, source.runId, context) : await byWorkflow(source, source.workflow ?? "", context);
  const { artifact, run } = selection;
  log.info(
    logText`Using artifact "${artifact.name}" (ID ${artifact.id}, ${artifact.size} bytes) of ${describeRun(run)} in ${context.repository}${artifact.expiresAt ? `; it expires ${artifact.expiresAt}` : ""}.`
  );
  warnIfExpiring(artifact, context.now());
  return selection;
}
async function byArtifactId(source, id, context) {
  const artifact = toArtifact(
    await githubGet(context.api, `/repos/${context.repository}/actions/artifacts/${id}`)
  );
  if (!artifact)
    throw new ConfigError(
      `artifact ${id} was not found in ${context.repository}: check \`from-artifact.artifact-id\`.`,
      source.at
    );
  if (artifact.name !== source.name) {
    throw new ConfigError(
      `artifact ${id} in ${context.repository} is named "${artifact.name}", not "${source.name}": check \`artifact-id\` and \`name\`.`,
      source.at
    );
  }
  const unusable = whyUnusable(artifact, context.now());
  if (unusable)
    throw new ConfigError(
      `artifact ${id} in ${context.repository} ${unusable}: pick another backup.`,
      source.at
    );
  const run = await trustedRun(source, artifact.runId, context);
  return { artifact, run };
}
async function byRunId(source, id, context) {
  const run = await trustedRun(source, id, context);
  const found = await newestUsable(context, run, source.name);
  if ("reason" in found) {
    throw new ConfigError(
      `${describeRun(run)} in ${context.repository} has no usable backup: ${found.reason}.`,
      source.at
    );
  }
  return { artifact: found.artifact, run };
}
async function trustedRun(source, id, context) {
  const run = id === void 0 ? void 0 : await getRun(context.api, context.repository, id);
  if (!run)
    throw new ConfigError(
      `run ${id ?? "(unknown)"} was not found in ${context.repository}: check \`from-artifact\`.`,
      source.at
    );
  const reason = distrust(run, { repository: context.repository, allowForks: source.allowForks });
  if (reason) throw new ConfigError(`${describeRun(run)} is not trusted: ${reason}.`, source.at);
  return run;
}
async function byWorkflow(source, workflow, context) {
  const where = `workflow ${workflow} of ${context.repository}`;
  const branch = source.branch ?? await defaultBranch(context.api, context.repository, context.eventPath);
  if (branch === void 0) {
    throw new ConfigError(
      `the default branch of ${context.repository} is unknown: set \`from-artifact.branch\`.`,
      source.at
    );
  }
  const policy = {
    repository: context.repository,
    branch,
    events: source.events ?? DEFAULT_EVENTS,
    allowForks: source.allowForks
  };
  const runs = await listRuns(context.api, context.repository, workflow, branch);
  if (!runs)
    throw new ConfigError(
      `${where} was not found: check \`from-artifact.workflow\` and \`repository\`.`,
      source.at
    );
  const skipped = [];
  let lookups = 0;
  for await (const run of runs) {
    const reason = distrust(run, policy);
    if (!reason && ++lookups > MAX_ARTIFACT_LOOKUPS) break;
    const found = reason ? { reason } : await newestUsable(context, run, source.name);
    if ("artifact" in found) {
      reportSkipped(skipped);
      return { artifact: found.artifact, run };
    }
    skipped.push(`${describeRun(run)}: ${found.reason}`);
  }
  reportSkipped(skipped);
  throw new ConfigError(
    `no trusted successful run of ${where} on branch ${branch} (events ${policy.events?.join(", ")}${policy.allowForks ? "" : ", not from a fork"}) has a usable artifact "${source.name}"${skipped.length ? `; ${skipped.length} run(s) skipped, listed above` : ""}. Check \`from-artifact\` (\`branch\`, \`events\`, \`allow-forks\`) and that the backup workflow uploads it.`,
    source.at
  );
}
async function newestUsable(context, run, name) {
  const listed = await githubGet(
    context.api,
    `/repos/${context.repository}/actions/runs/${run.id}/artifacts`,
    {
      name,
      per_page: 100
    }
  );
  const named = (listed?.artifacts ?? []).flatMap((json) => {
    const artifact = toArtifact(json);
    return artifact?.name === name ? [artifact] : [];
  });
  if (named.length === 0) return { reason: `it has no artifact named "${name}"` };
  const usable = named.filter((a) => !whyUnusable(a, context.now())).sort((a, b) => b.id - a.id);
  const newest = usable[0];
  if (newest) return { artifact: { ...newest, runId: run.id } };
  return { reason: `its artifact "${name}" ${whyUnusable(named[0], context.now())}` };
}
function whyUnusable(artifact, now) {
  if (artifact.expired) return "has expired";
  if (artifact.expiresAt && Date.parse(artifact.expiresAt) <= now) return `expired on ${artifact.expiresAt}`;
  return void 0;
}
function warnIfExpiring(artifact, now) {
  if (!artifact.expiresAt) return;
  const days = (Date.parse(artifact.expiresAt) - now) / DAY_MS;
  if (!(days < EXPIRY_WARNING_DAYS)) return;
  log.warning(
    logText`Artifact "${artifact.name}" (ID ${artifact.id}) expires ${artifact.expiresAt}, in ${days.toFixed(1)} day(s): run the backup again, or raise its \`retention-days\`, before a restore needs it.`
  );
}
function reportSkipped(skipped) {
  for (const line of skipped.slice(0, SKIPPED_LINES)) log.info(logText`Skipped ${line}.`);
  if (skipped.length > SKIPPED_LINES)
    log.info(logText`… and ${skipped.length - SKIPPED_LINES} more skipped run(s).`);
}
function toArtifact(json) {
  const a = json;
  if (typeof a?.["id"] !== "number" || typeof a["name"] !== "string") return void 0;
  const run = a["workflow_run"];
  return {
    id: a["id"],
    name: a["name"],
    size: typeof a["size_in_bytes"] === "number" ? a["size_in_bytes"] : 0,
    expired: a["expired"] === true,
    ...typeof a["digest"] === "string" ? { digest: a["digest"] } : {},
    ...typeof a["expires_at"] === "string" ? { expiresAt: a["expires_at"] } : {},
    ...typeof a["created_at"] === "string" ? { createdAt: a["created_at"] } : {},
    ...typeof run?.id === "number" ? { runId: run.id } : {}
  };
}

// src/action/artifacts/download.ts
async function downloadBackup(source, context) {
  const located = namesAnotherRun(source) ? await inAnotherRun(source, context) : await inThisRun(source, context);
  const dir = await makeRestoreDir(context.run.tempDir ?? tmpdir());
  log.info(logText`Downloading ${located.description}.`);
  const zipDir = join3(dir, ".artifact");
  let response;
  try {
    response = await context.client.downloadArtifact(located.id, {
      path: zipDir,
      skipDecompress: true,
      ...located.digest ? { expectedHash: withPrefix(located.digest) } : {},
      ...located.findBy ? { findBy: located.findBy } : {}
    });
  } catch (error) {
    throw new LicenseBackupError(
      "IO_ERROR",
      `Downloading ${located.description} failed: ${messageOf(error)}`,
      {
        cause: error
      }
    );
  }
  if (response.digestMismatch) {
    throw new LicenseBackupError(
      "BACKUP_CORRUPT",
      `Artifact "${source.name}" (ID ${located.id}) does not match the digest recorded at upload: it was changed or damaged in transit. Nothing was restored.`
    );
  }
  const [zip] = await readdir(zipDir);
  if (zip === void 0)
    throw new LicenseBackupError("IO_ERROR", `Artifact "${source.name}" downloaded as nothing.`);
  await extractBackup(join3(zipDir, zip), dir, source.name);
  await rm(zipDir, { recursive: true, force: true });
  return { dir, description: located.description };
}
function namesAnotherRun(source) {
  return source.runId !== void 0 || source.artifactId !== void 0 || source.workflow !== void 0;
}
async function inThisRun(source, context) {
  try {
    const { artifact } = await context.client.getArtifact(source.name);
    return {
      id: artifact.id,
      ...artifact.digest ? { digest: artifact.digest } : {},
      description: `artifact "${source.name}" (ID ${artifact.id}) of this run`
    };
  } catch (error) {
    if (isNotFound(error)) {
      throw new ConfigError(
        `artifact "${source.name}" was not found in this run: check \`from-artifact.name\`, that the backup job uploaded it, and that it has not expired.`,
        source.at
      );
    }
    throw new LicenseBackupError(
      "IO_ERROR",
      `Looking up artifact "${source.name}" in this run failed: ${messageOf(error)}`,
      {
        cause: error
      }
    );
  }
}
async function inAnotherRun(source, context) {
  if (!context.token) {
    throw new ConfigError(
      "downloading an artifact of another run needs the `github-token` input (a token with `actions: read`).",
      source.at
    );
  }
  const repository = source.repository ?? context.run.repository;
  const { artifact, run } = await selectArtifact(source, {
    api: { apiUrl: context.run.apiUrl, token: context.token, fetch: context.fetch },
    repository,
    ...context.run.eventPath ? { eventPath: context.run.eventPath } : {},
    now: context.now
  });
  const [owner = "", name = ""] = repository.split("/");
  return {
    id: artifact.id,
    ...artifact.digest ? { digest: artifact.digest } : {},
    findBy: { token: context.token, workflowRunId: run.id, repositoryOwner: owner, repositoryName: name },
    description: `artifact "${artifact.name}" (ID ${artifact.id}) of ${describeRun(run)} in ${repository}`
  };
}
function withPrefix(digest) {
  return digest.startsWith("sha256:") ? digest : `sha256:${digest}`;
}

// src/action/registry/steps.ts
import { readFileSync } from "node:fs";
import { mkdtemp, rm as rm4 } from "node:fs/promises";
import { tmpdir as tmpdir2 } from "node:os";
import { join as join6 } from "node:path";

// src/action/registry/client.ts
import { setTimeout as delay } from "node:timers/promises";

// src/action/registry/auth.ts
function parseChallenges(header) {
  const challenges = [];
  const token = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
  let i = 0;
  const skip = (chars) => {
    while (i < header.length && chars.test(header[i] ?? "")) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    token.lastIndex = i;
    const word = token.exec(header);
    if (!word) break;
    i = token.lastIndex;
    skip(/\s/);
    if (header[i] !== "=") {
      challenges.push({ scheme: word[0].toLowerCase(), params: {} });
      continue;
    }
    i++;
    skip(/\s/);
    const value = header[i] === '"' ? quoted() : bare();
    const current = challenges.at(-1);
    if (current) current.params[word[0].toLowerCase()] = value;
  }
  return challenges;
  function quoted() {
    let value = "";
    for (i++; i < header.length && header[i] !== '"'; i++) {
      if (header[i] === "\\") i++;
      value += header[i] ?? "";
    }
    i++;
    return value;
  }
  function bare() {
    const start = i;
    while (i < header.length && !/[\s,]/.test(header[i] ?? "")) i++;
    return header.slice(start, i);
  }
}
function basicAuthorization(credentials) {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}
function tokenUrl(challenge, scopes) {
  const url = new URL(challenge.params["realm"] ?? "");
  if (challenge.params["service"]) url.searchParams.set("service", challenge.params["service"]);
  for (const scope of scopes) url.searchParams.append("scope", scope);
  return url;
}
function challengeScopes(challenge) {
  return (challenge.params["scope"] ?? "").split(" ").filter((scope) => scope !== "");
}
function tokenFromAnswer(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return void 0;
  }
  if (typeof body !== "object" || body === null) return void 0;
  const { token, access_token: accessToken } = body;
  const value = typeof token === "string" && token !== "" ? token : accessToken;
  return typeof value === "string" && /^[\x21-\x7e]+$/.test(value) ? value : void 0;
}

// src/action/registry/transient.ts
var TransientRegistryError = class extends Error {
  constructor(message, retryAfter = null) {
    super(message);
    this.retryAfter = retryAfter;
    this.name = "TransientRegistryError";
  }
  retryAfter;
};

// src/action/registry/deadline.ts
var DEFAULT_IDLE_TIMEOUT_MS = 3e4;
var DEFAULT_MIN_BYTES_PER_SECOND = 512 * 1024;
var DEADLINE_BASE_MS = 6e4;
function defaultTransferDeadline(size) {
  return DEADLINE_BASE_MS + Math.ceil(size / DEFAULT_MIN_BYTES_PER_SECOND * 1e3);
}
var TransferWatch = class {
  constructor(idleMs, deadlineMs) {
    this.idleMs = idleMs;
    this.overall = setTimeout(
      () => this.fail(`it took longer than its deadline of ${seconds(deadlineMs)} s`),
      deadlineMs
    ).unref();
    this.touch();
  }
  idleMs;
  controller = new AbortController();
  streams = /* @__PURE__ */ new Set();
  idle;
  /** When a byte last moved (performance.now()). */
  last = 0;
  overall;
  stopped = false;
  failure;
  get signal() {
    return this.controller.signal;
  }
  /**
   * Progress: the idle time counts from now. Only the time is noted; the one idle timer, when it fires,
   * waits again for what is left (a timer per 16 KiB chunk cost a pull more than its SHA-256, ADR 0241).
   */
  touch() {
    if (this.stopped) return;
    this.last = performance.now();
    this.idle ??= this.idleAfter(this.idleMs);
  }
  idleAfter(ms) {
    return setTimeout(() => {
      const quiet = performance.now() - this.last;
      if (quiet >= this.idleMs) this.fail(`no byte moved for ${seconds(this.idleMs)} s`);
      else this.idle = this.idleAfter(this.idleMs - quiet);
    }, ms).unref();
  }
  stop() {
    this.stopped = true;
    clearTimeout(this.idle);
    clearTimeout(this.overall);
  }
  /** A pass-through counting each chunk of an upload's body as progress. */
  counting() {
    return new TransformStream({
      start: (controller) => {
        this.streams.add(controller);
      },
      transform: (chunk, controller) => {
        this.touch();
        controller.enqueue(chunk);
      }
    });
  }
  fail(reason) {
    if (this.stopped) return;
    this.stop();
    this.failure = new TransientRegistryError(`a stalled transfer (${reason})`);
    for (const stream of this.streams) {
      try {
        stream.error(this.failure);
      } catch {
      }
    }
    this.controller.abort(this.failure);
  }
};
function seconds(ms) {
  return String(Math.round(ms / 100) / 10);
}

// src/action/registry/origins.ts
var DOCUMENTED_REALMS = {
  "ghcr.io": ["https://ghcr.io"],
  "registry-1.docker.io": ["https://auth.docker.io"],
  "docker.io": ["https://auth.docker.io"]
};
function credentialOrigins(repository, origin, named = []) {
  const listed = DOCUMENTED_REALMS[repository.host.toLowerCase()] ?? [];
  return /* @__PURE__ */ new Set([origin, ...listed, ...named.map((realm) => new URL(realm).origin)]);
}
function followable(location, base, host, why) {
  let target;
  try {
    target = new URL(location, base);
  } catch {
    throw new LicenseBackupError(
      "SERVICE_ERROR",
      `The registry ${host} ${why} "${printable(location)}", which is not a URL; check the registry.`
    );
  }
  const plain = target.protocol === "http:" && !isLoopbackHost(target.host);
  if (plain || target.protocol !== "https:" && target.protocol !== "http:") {
    throw new LicenseBackupError(
      "SERVICE_ERROR",
      `The registry ${host} ${why} ${printable(target.origin)}, which is not HTTPS; refusing to go there.`,
      { url: target.origin }
    );
  }
  return target;
}
function printable(text) {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}

// src/action/registry/github-packages.ts
function isGhcr(repository) {
  return repository.host.toLowerCase() === "ghcr.io";
}
function ghcrPackage(repository) {
  const [owner = "", ...rest] = repository.name.split("/");
  return { owner, name: rest.join("/") };
}
function packageLink(repository, ownerKind) {
  if (!isGhcr(repository)) return `${repository.host}/${repository.name}`;
  const { owner, name } = ghcrPackage(repository);
  return `https://github.com/${ownerKind ?? "orgs"}/${owner}/packages/container/package/${encodeURIComponent(name)}`;
}
function packageSettings(repository, ownerKind) {
  const { owner, name } = ghcrPackage(repository);
  return `https://github.com/${ownerKind ?? "orgs"}/${owner}/packages/container/${encodeURIComponent(name)}/settings`;
}
var MAX_PAGES = 1e4;
function githubPackagesDeleter(options2) {
  let versions;
  return async (digest) => {
    versions ??= listVersions(options2);
    const { base, ids } = await versions;
    const id = ids.get(digest);
    if (id === void 0) return;
    const response = await call(options2, "DELETE", `${base}/${id}`);
    if (response.status === 204 || response.status === 404) return;
    throw await apiError(options2, response, `deleting version ${id} (${digest})`);
  };
}
async function packageVisibility(options2) {
  const { owner, name } = ghcrPackage(options2.repository);
  for (const kind of options2.ownerKind ? [options2.ownerKind] : ["orgs", "users"]) {
    const response = await call(
      options2,
      "GET",
      `${options2.apiUrl}/${kind}/${owner}/packages/container/${encodeURIComponent(name)}`
    );
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    const body = await response.json();
    return typeof body.visibility === "string" ? body.visibility : void 0;
  }
  return void 0;
}
async function listVersions(options2) {
  const { owner, name } = ghcrPackage(options2.repository);
  const kinds = options2.ownerKind ? [options2.ownerKind] : ["orgs", "users"];
  for (const kind of kinds) {
    const base = `${options2.apiUrl}/${kind}/${owner}/packages/container/${encodeURIComponent(name)}/versions`;
    const ids = await versionPages(options2, base);
    if (ids) return { base, ids };
  }
  throw new LicenseBackupError(
    "CONFIG_INVALID",
    `GitHub has no container package ${name} owned by ${owner} that this token can see (${options2.apiUrl}): check the repository name and that the token has \`packages: write\`.`,
    { url: packageLink(options2.repository, options2.ownerKind) }
  );
}
async function versionPages(options2, base) {
  const ids = /* @__PURE__ */ new Map();
  let url = `${base}?per_page=100`;
  for (let page = 1; url !== void 0; page++) {
    if (page > MAX_PAGES) {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        `GitHub's Packages API lists more than ${MAX_PAGES * 100} versions of ghcr.io/${options2.repository.name}; keep stops rather than decide on part of them. Prune the package by hand.`,
        { url: packageLink(options2.repository, options2.ownerKind) }
      );
    }
    const response = await call(options2, "GET", url);
    if (response.status === 404 && page === 1) {
      await response.body?.cancel();
      return void 0;
    }
    if (response.status !== 200) throw await apiError(options2, response, "listing the package versions");
    const next = nextLink(response.headers.get("link"));
    const list = await response.json();
    if (!Array.isArray(list)) throw await apiError(options2, response, "listing the package versions");
    for (const version of list) {
      if (typeof version.id === "number" && typeof version.name === "string")
        ids.set(version.name, version.id);
    }
    url = next === void 0 ? void 0 : followable(next, base, "GitHub", "linked the next page of versions to").href;
  }
  return ids;
}
function nextLink(link) {
  return (link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null)?.[1];
}
async function call(options2, method, url) {
  return options2.fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${options2.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28"
    },
    signal: AbortSignal.timeout(6e4)
  });
}
async function apiError(options2, response, what) {
  const forbidden = response.status === 401 || response.status === 403;
  const said = await githubMessage(response);
  return new LicenseBackupError(
    forbidden ? "UNAUTHORIZED" : "SERVICE_ERROR",
    `GitHub's Packages API (${options2.apiUrl}) answered HTTP ${response.status}${said} ${what} for ghcr.io/${options2.repository.name}` + (forbidden ? ": the token may not delete package versions; give the workflow `packages: write` and its repository the Admin role on the package." : "."),
    { url: packageLink(options2.repository, options2.ownerKind) }
  );
}
async function githubMessage(response) {
  if (response.bodyUsed) return "";
  const body = await response.json().catch(() => void 0);
  if (typeof body?.message !== "string") return "";
  return ` ("${body.message.replace(/[^\x20-\x7e]/g, " ").replace(/##\[/g, "#-[").slice(0, 200)}")`;
}

// src/action/registry/node-get.ts
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
function nodeGet(url, headers, signal) {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: "GET", headers, signal }, (message) => {
      const status = message.statusCode ?? 0;
      if (status < 200 || status > 599) {
        message.destroy();
        reject(new TypeError("fetch failed", { cause: new Error(`an answer with status ${status}`) }));
        return;
      }
      resolve({ response: responseOf(message), message });
    });
    sent.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
    sent.end();
  });
}
function responseOf(message) {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? "", raw[i + 1] ?? "");
  const status = message.statusCode ?? 0;
  const empty = status === 204 || status === 304;
  if (empty) message.resume();
  return new Response(empty ? null : lazyBody(message), {
    status,
    statusText: message.statusMessage ?? "",
    headers
  });
}
function lazyBody(message) {
  let chunks;
  return new ReadableStream(
    {
      async pull(controller) {
        chunks ??= message[Symbol.asyncIterator]();
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      cancel() {
        message.destroy();
      }
    },
    { highWaterMark: 0 }
  );
}

// src/action/registry/client.ts
var DEFAULT_POLICY = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 2e4 };
var MAX_REDIRECTS = 5;
var MAX_ERROR_BODY = 64 * 1024;
var RegistryClient = class {
  repository;
  origin;
  /** The registry is GHCR, or a stand-in for it: PATCH chunks of at most 4 MiB. */
  ghcr;
  options;
  policy;
  authorization;
  scopes = /* @__PURE__ */ new Set();
  credentialOrigins;
  /** The foreign token server asked anonymously, for the UNAUTHORIZED message that may follow. */
  anonymousRealm;
  downloads = /* @__PURE__ */ new WeakMap();
  constructor(repository, options2 = {}) {
    this.repository = repository;
    this.origin = registryOrigin(repository);
    this.options = options2;
    this.policy = { ...DEFAULT_POLICY, ...options2.retry };
    this.ghcr = options2.ghcr ?? isGhcr(repository);
    this.credentialOrigins = credentialOrigins(repository, this.origin, options2.tokenRealms);
  }
  /**
   * A URL the registry gave (a page link, an upload location), resolved against `base` and checked as
   * every followed URL is: HTTPS, or HTTP on loopback only.
   */
  follow(location, base, why) {
    return followable(location, base, this.repository.host, why).href;
  }
  /** Asks the token server for `scope` up front (`pull,push` before a push), as mainstream clients do. */
  wantScope(scope) {
    this.scopes.add(scope);
  }
  /** `ghcr.io/acme/license-backups`, for messages. */
  get where() {
    return `repository ${this.repository.name} at the registry ${this.repository.host}`;
  }
  /** `/v2/<name>/<rest>` */
  path(rest) {
    return `/v2/${this.repository.name}/${rest}`;
  }
  /** Sends a request, retrying transient failures; returns the first final answer (any status). */
  async request(request) {
    return this.retrying(`${request.method} ${this.display(request.url)}`, () => this.exchange(request));
  }
  /**
   * Runs an operation made of several requests (a blob upload) again from its start after a transient
   * failure, waiting as the registry asked or with backoff.
   */
  async retrying(what, operation) {
    for (let attempt = 1; ; attempt++) {
      this.throwIfCancelled();
      try {
        return await operation();
      } catch (error) {
        if (!(error instanceof TransientRegistryError)) throw error;
        if (attempt >= this.policy.maxAttempts) throw this.unavailable(what, error.message, attempt);
        await this.wait(this.delayBefore(what, error, attempt));
      }
    }
  }
  /**
   * One exchange: the request, the auth challenge it may get (answered once), and redirects. A transient
   * answer is thrown as TransientRegistryError; every other answer is returned.
   */
  async exchange(request) {
    let { response, url } = await this.send(request);
    if (response.status === 401) {
      const challenge = await this.challengeOf(request, response, url);
      await this.authenticate(challenge);
      ({ response, url } = await this.send(request));
      if (response.status === 401) {
        await this.challengeOf(request, response, url);
        throw this.unauthorized(401);
      }
    }
    if (response.status === 403) {
      await response.body?.cancel();
      throw this.unauthorized(403);
    }
    if (isRetryableStatus(response.status)) {
      const retryAfter = response.headers.get("retry-after");
      const detail = await errorDetail(response);
      throw new TransientRegistryError(`HTTP ${response.status}${detail}`, retryAfter);
    }
    return response;
  }
  /** Sends a request, following GET and HEAD redirects; the answer and the URL that gave it. */
  async send(request) {
    let url = followable(request.url, this.origin, this.repository.host, "gave the address");
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === this.origin;
      const headers = { ...request.headers };
      if (sameOrigin && this.authorization) headers["authorization"] = this.authorization;
      const response = await this.fetchOnce(url, request, headers);
      const location = response.headers.get("location");
      const redirected = response.status >= 300 && response.status < 400 && location !== null;
      if (!redirected || request.method !== "GET" && request.method !== "HEAD") return { response, url };
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) {
        throw new LicenseBackupError(
          "SERVICE_ERROR",
          `The registry ${this.repository.host} redirected ${this.display(request.url)} more than ${MAX_REDIRECTS} times; check the registry.`,
          { url: url.href }
        );
      }
      url = followable(location, url, this.repository.host, `redirected ${this.display(request.url)} to`);
    }
  }
  /**
   * The challenge of a 401, read only when it came from the registry's own origin: a 401 from where a
   * redirect led is that origin's, and the registry's credentials stay home.
   */
  async challengeOf(request, response, url) {
    await response.body?.cancel();
    if (url.origin !== this.origin) throw this.foreignChallenge(request, url);
    return response.headers.get("www-authenticate") ?? "";
  }
  foreignChallenge(request, url) {
    return new LicenseBackupError(
      "SERVICE_ERROR",
      `The registry ${this.repository.host} redirected ${request.method} ${this.display(request.url)} to ${url.origin}, which asked for credentials (HTTP 401); the registry's credentials are never sent to another origin. Check the registry's storage settings.`,
      { url: url.origin }
    );
  }
  async fetchOnce(url, request, headers) {
    if (request.streamed) return this.transfer(url, request, headers);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 6e4);
    try {
      return await this.fetchWith(url, request, headers, timeout, request.body?.());
    } catch (error) {
      this.throwIfCancelled();
      if (timeout.aborted) throw new TransientRegistryError("no answer in time");
      throw new TransientRegistryError(`a network error (${networkReason(error)})`);
    }
  }
  /**
   * A blob transfer under a TransferWatch: the upload's bytes and the download's bytes count as
   * progress; an upload's watch ends with the answer, a download's with the end of its body.
   */
  async transfer(url, request, headers) {
    const watch = new TransferWatch(
      this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      (this.options.transferDeadlineMs ?? defaultTransferDeadline)(request.size ?? 0)
    );
    const body = request.body?.();
    const watched = body instanceof ReadableStream ? body.pipeThrough(watch.counting()) : body;
    let response;
    let chunks;
    try {
      if (request.method === "GET" && !this.options.fetch) {
        const answer = await nodeGet(url, headers, this.signalWith(watch.signal));
        response = answer.response;
        chunks = answer.message;
      } else {
        response = await this.fetchWith(url, request, headers, watch.signal, watched);
      }
    } catch (error) {
      watch.stop();
      this.throwIfCancelled();
      throw watch.failure ?? new TransientRegistryError(`a network error (${networkReason(error)})`);
    }
    if (request.method !== "GET" || !response.body) {
      watch.stop();
      return response;
    }
    watch.touch();
    this.downloads.set(response, { watch, chunks: chunks ?? response.body });
    return response;
  }
  /**
   * A blob download's progress reporting: `moved` for every chunk read, `end` once the body is read or
   * given up, and `failure`, the stall that broke the body if the watch ended it.
   */
  download(response) {
    const watch = this.downloads.get(response)?.watch;
    return {
      chunks: this.downloads.get(response)?.chunks ?? response.body,
      moved: () => watch?.touch(),
      end: () => watch?.stop(),
      failure: () => watch?.failure
    };
  }
  async fetchWith(url, request, headers, limit, body) {
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    return fetchImpl(url, {
      method: request.method,
      headers,
      redirect: "manual",
      signal: this.signalWith(limit),
      ...body ? { body, duplex: "half" } : {}
    });
  }
  /** The request's own limit, and the run's cancellation when there is one. */
  signalWith(limit) {
    const signals = [this.options.signal, limit].filter((s) => s !== void 0);
    return AbortSignal.any(signals);
  }
  /** Answers a 401's challenge: Basic with the credentials, or a Bearer token for every scope seen. */
  async authenticate(header) {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const credentials = this.options.credentials;
    if (bearer) {
      for (const scope of challengeScopes(bearer)) this.scopes.add(scope);
      this.authorization = `Bearer ${await this.fetchToken(bearer)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === "basic") && credentials) {
      this.authorization = basicAuthorization(credentials);
      return;
    }
    throw this.unauthorized(401);
  }
  async fetchToken(challenge) {
    let url;
    try {
      url = tokenUrl(challenge, this.scopes);
    } catch {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        `The registry ${this.repository.host} asked for a token from "${challenge.params["realm"] ?? ""}", which is not a URL.`
      );
    }
    url = followable(url.href, this.origin, this.repository.host, "asks for a token from");
    const headers = this.tokenHeaders(url);
    const response = await this.fetchOnce(url, { method: "GET", url: url.href }, headers);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.unauthorized(response.status);
    }
    if (isRetryableStatus(response.status)) {
      await response.body?.cancel();
      throw new TransientRegistryError(`HTTP ${response.status} from the token server ${url.origin}`);
    }
    const text = response.ok ? await readCapped(response, MAX_ERROR_BODY) : "";
    const refusal = registryErrors(text);
    if (refusal !== void 0) throw this.unauthorized(response.status, refusal);
    const token = tokenFromAnswer(text);
    if (token === void 0) {
      if (!response.bodyUsed) await response.body?.cancel();
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        `The token server ${url.origin}${url.pathname} of the registry ${this.repository.host} answered HTTP ${response.status} without a token.`,
        { url: `${url.origin}${url.pathname}` }
      );
    }
    this.options.onToken?.(token);
    return token;
  }
  /** Basic credentials only for a token server on a trusted origin; any other is asked anonymously. */
  tokenHeaders(url) {
    const credentials = this.options.credentials;
    if (!credentials) return {};
    if (this.credentialOrigins.has(url.origin)) return { authorization: basicAuthorization(credentials) };
    if (this.anonymousRealm !== url.origin) {
      this.anonymousRealm = url.origin;
      this.options.warn?.(
        `The registry ${this.repository.host} names the token server ${url.origin}, which is not its own origin: asking it for a token without the credentials. If that server belongs to the registry, list it in \`token-realms\` in the steps file.`
      );
    }
    return {};
  }
  unauthorized(status, said = "") {
    const credentials = this.options.credentials;
    const given = credentials ? this.options.credentialsHint ?? "the credentials given" : "no credentials";
    const what = status === 403 ? "denied the request" : credentials ? "did not accept the credentials" : "needs credentials";
    const fix = this.anonymousRealm ? `the credentials were not sent to its token server ${this.anonymousRealm} (another origin); if that server belongs to the registry, list it in \`token-realms\`` : credentials ? `check ${given} and that it may ${this.wantedActions()} ${this.repository.name} (on GHCR: \`packages: write\` to push, \`packages: read\` to pull)` : "set `username` and `token-env` in the steps file";
    return new LicenseBackupError(
      "UNAUTHORIZED",
      `The registry ${this.repository.host} ${what} for repository ${this.repository.name} (HTTP ${status}${said}, with ${given}): ${fix}.`,
      { url: repositoryText(this.repository) }
    );
  }
  wantedActions() {
    const actions = /* @__PURE__ */ new Set();
    for (const scope of this.scopes)
      for (const action of scope.split(":").pop()?.split(",") ?? []) actions.add(action);
    return actions.size ? [...actions].join("/") : "access";
  }
  delayBefore(what, error, attempt) {
    const now = (this.options.now ?? Date.now)();
    const asked = parseRetryAfter(error.retryAfter, now);
    if (asked === void 0) return backoffDelay(attempt, this.policy, this.options.random ?? Math.random);
    const limit = this.options.maxRetryAfterMs ?? 6e4;
    if (asked > limit) {
      throw new LicenseBackupError(
        "SERVICE_UNAVAILABLE",
        `The registry ${this.repository.host} answered ${what} with ${error.message} and asked to wait ${Math.ceil(asked / 1e3)} s; run the step again after ${new Date(now + asked).toISOString()}.`,
        { url: repositoryText(this.repository) }
      );
    }
    return asked;
  }
  async wait(ms) {
    try {
      await (this.options.sleep ?? defaultSleep)(ms, this.options.signal);
    } catch (error) {
      this.throwIfCancelled();
      throw error;
    }
  }
  unavailable(what, last, attempts) {
    return new LicenseBackupError(
      "SERVICE_UNAVAILABLE",
      `The registry ${this.repository.host} did not complete ${what}: the last of ${attempts} attempt(s) got ${last}. Check that the registry is up and reachable, then run the step again.`,
      { url: repositoryText(this.repository) }
    );
  }
  throwIfCancelled() {
    if (this.options.signal?.aborted) throw cancelled("registry transfer");
  }
  /** A request's URL for messages: the path only, never an upload's state query. */
  display(url) {
    return new URL(url, this.origin).pathname;
  }
  /** An answer that is not what the spec says: SERVICE_ERROR naming the call and the registry's words. */
  async unexpected(response, what) {
    const detail = await errorDetail(response);
    return new LicenseBackupError(
      "SERVICE_ERROR",
      `The registry ${this.repository.host} answered ${what} for repository ${this.repository.name} with HTTP ${response.status}${detail}.`,
      { url: repositoryText(this.repository) }
    );
  }
};
var defaultSleep = (ms, signal) => delay(ms, void 0, signal ? { signal } : {});
async function readCapped(response, max) {
  return (await readCappedBytes(response, max)).toString("utf8");
}
async function readCappedBytes(response, max) {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks = [];
  let size = 0;
  for (; ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max);
}
async function errorDetail(response) {
  const text = await readCapped(response, MAX_ERROR_BODY).catch(() => "");
  return registryErrors(text) ?? "";
}
function registryErrors(text) {
  let first;
  try {
    const body = JSON.parse(text);
    if (!Array.isArray(body.errors) || body.errors.length === 0) return void 0;
    first = body.errors[0] ?? {};
  } catch {
    return void 0;
  }
  const words = [first?.code, first?.message].filter((w) => typeof w === "string").join(": ");
  const clean = words.replace(/[^\x20-\x7e]/g, " ").replace(/##\[/g, "#-[").slice(0, 200);
  return clean ? ` (${clean})` : "";
}
function networkReason(error) {
  const cause = error.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

// src/action/registry/manifests.ts
import { createHash } from "node:crypto";

// src/action/registry/media-types.ts
var ARTIFACT_TYPE = "application/vnd.license-backup.backup.v2";
var IMAGE_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
var EMPTY_CONFIG = {
  mediaType: "application/vnd.oci.empty.v1+json",
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30="
};
var EMPTY_CONFIG_BYTES = Buffer.from("{}");
var TITLE = "org.opencontainers.image.title";
var CREATED = "org.opencontainers.image.created";
var SOURCE = "org.opencontainers.image.source";
var SIGNATURE = "application/vnd.license-backup.signature.v1";
function layerMediaType(file, version) {
  if (file === "manifest.json") return `application/vnd.license-backup.manifest.${version}+json`;
  if (file === "manifest.json.sig") return SIGNATURE;
  const pack = /^licenses\.tar(\.gz)?(\.age)?$/.exec(file);
  if (!pack) return "application/octet-stream";
  return `application/vnd.license-backup.pack.${version}.tar${pack[1] ? "+gzip" : ""}${pack[2] ? "+age" : ""}`;
}
function formatVersion(format) {
  const match = typeof format === "string" ? /^license-backup\/(v\d+)(?:\.\d+)?$/.exec(format) : null;
  return match?.[1] ?? "v1";
}

// src/action/registry/manifests.ts
var MAX_MANIFEST_BYTES2 = 4 * 1024 * 1024;
var MAX_LAYERS = 16;
var MAX_LAYER_BYTES = 16 * 1024 ** 3;
var MAX_TAGS = 1e5;
var FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
function backupManifest(layers, annotations) {
  const manifest = {
    schemaVersion: 2,
    mediaType: IMAGE_MANIFEST,
    artifactType: ARTIFACT_TYPE,
    config: { ...EMPTY_CONFIG },
    layers,
    annotations
  };
  return Buffer.from(JSON.stringify(manifest));
}
function sha256Digest(bytes) {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
async function putManifest(client, bytes, reference) {
  const response = await client.request({
    method: "PUT",
    url: client.path(`manifests/${reference}`),
    headers: { "content-type": IMAGE_MANIFEST },
    body: () => new Uint8Array(bytes)
  });
  if (response.status !== 201) throw await client.unexpected(response, `the manifest PUT for ${reference}`);
  await response.body?.cancel();
}
async function fetchManifest(client, reference) {
  const response = await client.request({
    method: "GET",
    url: client.path(`manifests/${reference}`),
    headers: { accept: IMAGE_MANIFEST }
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return void 0;
  }
  if (response.status !== 200) throw await client.unexpected(response, `the manifest GET for ${reference}`);
  const bytes = await readCappedBytes(response, MAX_MANIFEST_BYTES2 + 1);
  if (bytes.length > MAX_MANIFEST_BYTES2) throw notBackup(client, reference, "it is larger than 4 MiB");
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && digest !== reference) {
    throw new LicenseBackupError(
      "BACKUP_CORRUPT",
      `The manifest ${reference} from ${client.where} has the digest ${digest}: it was changed. Nothing was used.`
    );
  }
  let json;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw notBackup(client, reference, "it is not JSON");
  }
  return { digest, bytes, json };
}
function isBackupManifest(json) {
  if (typeof json !== "object" || json === null) return false;
  const manifest = json;
  return manifest.mediaType === IMAGE_MANIFEST && artifactTypeOf(manifest) === ARTIFACT_TYPE;
}
function artifactTypeOf(manifest) {
  return manifest.artifactType === void 0 ? manifest.config?.mediaType : manifest.artifactType;
}
function backupLayers(client, reference, json) {
  if (!isBackupManifest(json)) throw notThisType(client, reference, json);
  const layers = json.layers;
  if (!Array.isArray(layers) || layers.length === 0 || layers.length > MAX_LAYERS) {
    throw notBackup(client, reference, `it has ${Array.isArray(layers) ? layers.length : "no"} layers`);
  }
  const seen = /* @__PURE__ */ new Set();
  return layers.map((layer, i) => {
    const descriptor = layer;
    const title2 = descriptor?.annotations?.[TITLE];
    const ok = typeof descriptor?.mediaType === "string" && typeof descriptor.digest === "string" && isDigest(descriptor.digest) && Number.isSafeInteger(descriptor.size) && (descriptor.size ?? -1) >= 0 && (descriptor.size ?? 0) <= MAX_LAYER_BYTES && typeof title2 === "string";
    if (!ok) throw notBackup(client, reference, `layer ${i + 1} is not a file of a backup folder`);
    if (!FILE_NAME.test(title2)) throw badTitle(client, reference, i, title2);
    if (seen.has(title2.toLowerCase())) {
      throw notBackup(client, reference, `two layers are titled "${printable2(title2)}" (letter case aside)`);
    }
    seen.add(title2.toLowerCase());
    return descriptor;
  });
}
function notThisType(client, reference, json) {
  const manifest = json ?? {};
  const type = artifactTypeOf(manifest);
  const what = manifest.mediaType !== IMAGE_MANIFEST ? `its media type is ${printable2(String(manifest.mediaType ?? "none"))}, not an OCI image manifest` : `its artifact type is ${printable2(String(type ?? "none"))}, not ${ARTIFACT_TYPE}`;
  return new LicenseBackupError(
    "CONFIG_INVALID",
    `${reference} in ${client.where} is not a license backup: ${what}. Check the reference.`
  );
}
function badTitle(client, reference, index, title2) {
  const why = /[/\\]/.test(title2) ? "it has a folder in it" : "it is not a plain file name";
  return new LicenseBackupError(
    "CONFIG_INVALID",
    `${reference} in ${client.where} is not a backup folder as pushed: layer ${index + 1} is titled "${printable2(title2)}", and ${why}. Push the files from inside the backup folder (\`cd backup && oras push <reference> manifest.json licenses.tar.gz\`), as the action does. Nothing was used.`
  );
}
function notBackup(client, reference, why) {
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    `The manifest of ${reference} in ${client.where} is not a backup's: ${why}. Nothing was used.`
  );
}
async function listTags(client) {
  const tags = [];
  let url = client.path("tags/list?n=1000");
  while (url !== void 0 && tags.length < MAX_TAGS) {
    const response = await client.request({ method: "GET", url, headers: { accept: "application/json" } });
    if (response.status === 404) {
      await response.body?.cancel();
      return tags;
    }
    if (response.status !== 200) throw await client.unexpected(response, "the tag list");
    const link = nextPage(response.headers.get("link"));
    const next = link === void 0 ? void 0 : client.follow(link, client.origin, "linked the next page of tags to");
    let body;
    try {
      body = JSON.parse(await readCapped(response, 16 * 1024 * 1024));
    } catch {
      throw await client.unexpected(response, "the tag list (not JSON)");
    }
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t) => typeof t === "string"));
    url = next;
  }
  return tags;
}
function nextPage(link) {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return match?.[1];
}
async function deleteManifest(client, digest) {
  return client.request({ method: "DELETE", url: client.path(`manifests/${digest}`) });
}
function printable2(text) {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
}

// src/action/registry/retention.ts
var KEEP_RULES = ["last", "daily", "weekly", "monthly"];
function selectRetention(backups, policy) {
  const newestFirst = [...backups].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || (a.tag < b.tag ? 1 : -1)
  );
  const reasons = /* @__PURE__ */ new Map();
  for (const rule of KEEP_RULES) {
    const wanted = policy[rule] ?? 0;
    let kept = 0;
    let lastBucket;
    for (const backup of newestFirst) {
      if (kept >= wanted) break;
      const bucket = BUCKETS[rule](backup);
      if (bucket === lastBucket) continue;
      lastBucket = bucket;
      kept++;
      reasons.set(backup, [...reasons.get(backup) ?? [], rule]);
    }
  }
  return {
    keep: newestFirst.filter((b) => reasons.has(b)).map((b) => ({ ...b, reasons: reasons.get(b) ?? [] })),
    remove: newestFirst.filter((b) => !reasons.has(b))
  };
}
var BUCKETS = {
  last: (backup) => backup.tag,
  daily: (backup) => backup.time.toISOString().slice(0, 10),
  weekly: (backup) => isoWeek(backup.time),
  monthly: (backup) => backup.time.toISOString().slice(0, 7)
};
function isoWeek(time) {
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 864e5 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

// src/action/registry/timestamp.ts
var STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
function timestampTag(at) {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}
function parseTimestampTag(tag) {
  const match = STAMP.exec(tag);
  if (!match) return void 0;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return timestampTag(at) === tag ? at : void 0;
}

// src/action/registry/keep.ts
var FUTURE_SKEW_MS = 15 * 60 * 1e3;
async function applyKeep(client, policy, options2) {
  const backups = [];
  const future = [];
  const protectedDigests = new Set(options2.pushed ? [options2.pushed] : []);
  const latest = options2.now.getTime() + FUTURE_SKEW_MS;
  for (const tag of await listTags(client)) {
    const fetched = await fetchManifest(client, tag);
    if (!fetched) continue;
    const time = parseTimestampTag(tag);
    const ours = time !== void 0 && isBackupManifest(fetched.json);
    if (ours && time.getTime() > latest) future.push({ tag, digest: fetched.digest });
    if (ours && time.getTime() <= latest) backups.push({ tag, time, digest: fetched.digest });
    else protectedDigests.add(fetched.digest);
  }
  const decision = selectRetention(backups, policy);
  for (const kept2 of decision.keep) protectedDigests.add(kept2.digest);
  const doomed = decision.remove.filter((backup) => !protectedDigests.has(backup.digest));
  const kept = decision.keep.map(({ tag, digest, reasons }) => ({ tag, digest, reasons }));
  const listed = doomed.map(({ tag, digest }) => ({ tag, digest }));
  if (options2.dryRun) return { kept, deleted: listed, failed: [], future, dryRun: true };
  const failed = await deleteAll(client, listed, options2.deleter ?? ociDeleter(client));
  const deleted = await confirmGone(client, listed, failed);
  return { kept, deleted, failed, future, dryRun: false };
}
async function deleteAll(client, backups, deleter) {
  const failed = [];
  const refused = /* @__PURE__ */ new Map();
  const tried = /* @__PURE__ */ new Set();
  for (const backup of backups) {
    if (!tried.has(backup.digest)) {
      tried.add(backup.digest);
      const reason2 = await deleteOne(client, deleter, backup.digest);
      if (reason2 !== void 0) refused.set(backup.digest, reason2);
    }
    const reason = refused.get(backup.digest);
    if (reason !== void 0) failed.push({ ...backup, reason });
  }
  return failed;
}
async function deleteOne(client, deleter, digest) {
  try {
    await deleter(digest);
    return void 0;
  } catch (error) {
    client.throwIfCancelled();
    if (!(error instanceof LicenseBackupError) || error.code === "CANCELLED") throw error;
    return error.message;
  }
}
async function confirmGone(client, backups, failed) {
  const refused = new Set(failed.map((f) => f.tag));
  const attempted = backups.filter((b) => !refused.has(b.tag));
  if (attempted.length === 0) return [];
  const remaining = new Set(await listTags(client));
  for (const backup of attempted.filter((b) => remaining.has(b.tag))) {
    failed.push({ ...backup, reason: "the registry accepted the delete, but the backup is still listed." });
  }
  return attempted.filter((b) => !remaining.has(b.tag));
}
function ociDeleter(client) {
  return async (digest) => {
    const response = await deleteManifest(client, digest);
    if (response.status === 202 || response.status === 200 || response.status === 404) {
      await response.body?.cancel();
      return;
    }
    const detail = await errorDetail(response);
    throw new LicenseBackupError(
      "SERVICE_ERROR",
      `The registry ${client.repository.host} refused to delete ${digest} from repository ${client.repository.name} (HTTP ${response.status}${detail}). ` + (response.status === 405 ? "It does not allow deletes through the OCI API: enable deletes on the registry, or remove `keep` (use `dry-run: true` to list what it would delete)." : "Check that the token may delete in this repository."),
      { url: `${client.repository.host}/${client.repository.name}@${digest}` }
    );
  };
}

// src/action/registry/pull.ts
import { rm as rm3 } from "node:fs/promises";
import { join as join4 } from "node:path";

// src/action/registry/blobs.ts
import { createHash as createHash2 } from "node:crypto";
import { open as open2, rm as rm2 } from "node:fs/promises";
var DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;
var SMALL_CHUNK_SIZE = 4 * 1024 * 1024;
var READ_SIZE = 1024 * 1024;
var WRITE_BATCH = 1024 * 1024;
var WRITES_IN_FLIGHT = 4;
var ChunkTooLarge = class extends Error {
  constructor(refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
  refusal;
};
async function digestFile(file) {
  const hash = createHash2("sha256");
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  const handle = await open2(file, "r");
  let size = 0;
  try {
    for (; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}
async function pushBlob(client, file, blob, options2 = {}) {
  const chunkSize = options2.chunkSize ?? (client.ghcr ? SMALL_CHUNK_SIZE : DEFAULT_CHUNK_SIZE);
  try {
    return await pushBlobIn(client, file, blob, options2.mountFrom, chunkSize);
  } catch (error) {
    if (!(error instanceof ChunkTooLarge)) throw error;
    if (chunkSize <= SMALL_CHUNK_SIZE) throw error.refusal;
    return pushBlobIn(client, file, blob, options2.mountFrom, SMALL_CHUNK_SIZE).catch((again) => {
      throw again instanceof ChunkTooLarge ? again.refusal : again;
    });
  }
}
async function pushBlobIn(client, file, blob, mountFrom, chunkSize) {
  return client.retrying(`the upload of blob ${blob.digest}`, async () => {
    const head = await client.exchange({ method: "HEAD", url: client.path(`blobs/${blob.digest}`) });
    if (head.ok) return "present";
    const mount = mountFrom ? `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(mountFrom)}` : "";
    const start = await client.exchange({ method: "POST", url: client.path(`blobs/uploads/${mount}`) });
    if (start.status === 201 && mount) {
      await start.body?.cancel();
      return "mounted";
    }
    const location = await uploadLocation(client, start, "starting a blob upload");
    const whole = blob.size <= chunkSize;
    const final = whole ? location : await uploadChunks(client, location, file, blob.size, chunkSize);
    const put = await client.exchange({
      method: "PUT",
      url: withDigest(final, blob.digest),
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(whole ? blob.size : 0)
      },
      ...whole ? { body: () => bodyOf(file, 0, blob.size), streamed: true, size: blob.size } : {}
    });
    if (put.status !== 201) throw await client.unexpected(put, `the upload of blob ${blob.digest}`);
    await put.body?.cancel();
    return "uploaded";
  });
}
async function uploadChunks(client, location, file, size, chunkSize) {
  let url = location;
  for (let offset = 0; offset < size; offset += chunkSize) {
    const end = Math.min(size, offset + chunkSize);
    const patch = await client.exchange({
      method: "PATCH",
      url,
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(end - offset),
        "content-range": `${offset}-${end - 1}`
      },
      body: () => bodyOf(file, offset, end),
      streamed: true,
      size: end - offset
    });
    const what = `a chunk of a blob upload (bytes ${offset}-${end - 1})`;
    if (patch.status === 416) throw new ChunkTooLarge(await client.unexpected(patch, what));
    url = await uploadLocation(client, patch, what);
  }
  return url;
}
async function uploadLocation(client, response, what) {
  const location = response.headers.get("location");
  if (response.status !== 202 || !location) throw await client.unexpected(response, what);
  await response.body?.cancel();
  return client.follow(location, client.origin, `gave the upload location`);
}
function withDigest(location, digest) {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.href;
}
function bodyOf(file, start, end) {
  if (typeof file !== "string") return new Uint8Array(file.subarray(start, end));
  if (end <= start) return new Uint8Array(0);
  return fileBody(file, start, end);
}
function fileBody(file, start, end) {
  let handle;
  let at = start;
  const close = async () => {
    const open4 = handle;
    handle = void 0;
    await open4?.close();
  };
  return new ReadableStream({
    async pull(controller) {
      handle ??= await open2(file, "r");
      const buffer = Buffer.allocUnsafeSlow(Math.min(READ_SIZE, end - at));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      at += bytesRead;
      if (bytesRead > 0) controller.enqueue(new Uint8Array(buffer.buffer, 0, bytesRead));
      if (at < end && bytesRead > 0) return;
      await close();
      controller.close();
    },
    cancel: close
  });
}
async function pullBlob(client, blob, target) {
  await client.retrying(`the download of blob ${blob.digest}`, async () => {
    await rm2(target, { force: true });
    const response = await client.exchange({
      method: "GET",
      url: client.path(`blobs/${blob.digest}`),
      streamed: true,
      size: blob.size
    });
    if (response.status !== 200 || !response.body) {
      throw await client.unexpected(response, `the download of blob ${blob.digest}`);
    }
    const progress = client.download(response);
    const hash = createHash2("sha256");
    let size = 0;
    const file = await open2(target, "wx", 384);
    const writes = new WritesInFlight(WRITES_IN_FLIGHT);
    try {
      let batch = [];
      let batched = 0;
      for await (const chunk of progress.chunks) {
        progress.moved();
        size += chunk.length;
        if (size > blob.size)
          throw corrupt(client, blob, `more than the ${blob.size} bytes its manifest gives`);
        hash.update(chunk);
        batch.push(chunk);
        batched += chunk.length;
        if (batched < WRITE_BATCH) continue;
        await writes.add(file.writev(batch, size - batched));
        batch = [];
        batched = 0;
      }
      if (batch.length) await writes.add(file.writev(batch, size - batched));
      await writes.drain();
    } catch (error) {
      await writes.settle();
      await file.close().catch(() => void 0);
      await rm2(target, { force: true });
      if (error instanceof LicenseBackupError) throw error;
      client.throwIfCancelled();
      throw progress.failure() ?? new TransientRegistryError(
        `a broken download (${error instanceof Error ? error.message : String(error)})`
      );
    } finally {
      progress.end();
    }
    await file.close();
    const digest = `sha256:${hash.digest("hex")}`;
    if (size !== blob.size || digest !== blob.digest) {
      await rm2(target, { force: true });
      throw corrupt(client, blob, size !== blob.size ? `${size} bytes, not ${blob.size}` : `digest ${digest}`);
    }
  });
}
var WritesInFlight = class {
  constructor(limit) {
    this.limit = limit;
  }
  limit;
  pending = [];
  async add(write) {
    write.catch(() => void 0);
    this.pending.push(write);
    if (this.pending.length > this.limit) await this.pending.shift();
  }
  async drain() {
    while (this.pending.length) await this.pending.shift();
  }
  /** Waits for every write, whatever it gave, before the file is closed on a failure. */
  async settle() {
    await Promise.allSettled(this.pending.splice(0));
  }
};
function corrupt(client, blob, got) {
  const title2 = blob.annotations?.["org.opencontainers.image.title"];
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    `The blob ${blob.digest}${title2 ? ` (${title2})` : ""} from ${client.where} does not match its manifest: it has ${got}. Nothing was used; push the backup again or pull another one.`,
    { url: client.display(client.path(`blobs/${blob.digest}`)) }
  );
}

// src/action/registry/pull.ts
var BACKUP_FILE = /^(?:manifest\.json(?:\.sig)?|licenses\.tar(?:\.gz)?(?:\.age)?)$/;
async function pullBackup(client, reference, folder) {
  const ref = reference.digest ?? reference.tag ?? "";
  const fetched = await fetchManifest(client, ref);
  if (!fetched) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${referenceText(reference)} was not found: ${client.where} has no manifest ${reference.digest ? "with that digest" : `tagged ${ref}`}. Check \`from-registry.reference\` and that the backup was pushed.`,
      { url: referenceText(reference) }
    );
  }
  const layers = backupLayers(client, referenceText(reference), fetched.json);
  const title2 = (layer) => layer.annotations?.[TITLE] ?? "";
  const wanted = layers.filter((layer) => BACKUP_FILE.test(title2(layer)));
  const skipped = layers.map(title2).filter((file) => !BACKUP_FILE.test(file));
  const targets = wanted.map((layer) => join4(folder, title2(layer)));
  const pulled = await Promise.allSettled(wanted.map((layer, i) => pullBlob(client, layer, targets[i] ?? "")));
  const failed = pulled.find((p) => p.status === "rejected");
  if (failed) {
    await Promise.all(targets.map((target) => rm3(target, { force: true })));
    throw failed.reason;
  }
  return { digest: fetched.digest, files: wanted.map(title2), skipped };
}

// src/action/registry/push.ts
import { open as open3 } from "node:fs/promises";
import { join as join5 } from "node:path";
async function pushBackup(client, folder, files, options2) {
  const version = formatVersion(await manifestFormat(folder, files));
  const layers = await Promise.all(
    files.map(async (file) => {
      const { digest: digest2, size } = await digestFile(join5(folder, file));
      return { mediaType: layerMediaType(file, version), digest: digest2, size, annotations: { [TITLE]: file } };
    })
  );
  client.wantScope(`repository:${client.repository.name}:pull,push`);
  const blobs = {};
  const mount = options2.mountFrom === void 0 ? {} : { mountFrom: options2.mountFrom };
  const chunk = options2.chunkSize === void 0 ? {} : { chunkSize: options2.chunkSize };
  await pushBlob(client, EMPTY_CONFIG_BYTES, EMPTY_CONFIG, mount);
  const pushed = await Promise.allSettled(
    layers.map(async (layer, i) => {
      const file = files[i] ?? "";
      blobs[file] = await pushBlob(client, join5(folder, file), layer, { ...mount, ...chunk });
    })
  );
  const failed = pushed.find((p) => p.status === "rejected");
  if (failed) throw failed.reason;
  const bytes = backupManifest(layers, { [CREATED]: options2.now.toISOString(), ...options2.annotations });
  const digest = sha256Digest(bytes);
  await putManifest(client, bytes, digest);
  const tags = [timestampTag(options2.now), ...options2.tags.filter((t) => t !== timestampTag(options2.now))];
  for (const tag of tags) await putManifest(client, bytes, tag);
  return { digest, tags, size: layers.reduce((n, l) => n + l.size, 0), blobs };
}
async function manifestFormat(folder, files) {
  if (!files.includes("manifest.json")) return void 0;
  const handle = await open3(join5(folder, "manifest.json"), "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return /"format"\s*:\s*"([^"]{1,64})"/.exec(buffer.subarray(0, bytesRead).toString("utf8"))?.[1];
  } finally {
    await handle.close();
  }
}

// src/action/registry/steps.ts
async function pushToRegistry(spec, backup, token, context) {
  const client = clientFor(spec.repository, spec, token, context);
  const where = repositoryText(spec.repository);
  const mountFrom = context.pushed.get(spec.repository.host);
  context.log.info(logText`Pushing ${backup.files.length} file(s) from ${backup.path} to ${where}.`);
  const pushed = await pushBackup(client, backup.path, backup.files, {
    tags: spec.tags,
    now: new Date(context.now()),
    ...mountFrom !== void 0 && mountFrom !== spec.repository.name ? { mountFrom } : {},
    ...context.run.repository && isGhcr(spec.repository) ? { annotations: { [SOURCE]: `${context.run.serverUrl}/${context.run.repository}` } } : {}
  });
  context.pushed.set(spec.repository.host, spec.repository.name);
  const how = Object.values(pushed.blobs);
  context.log.info(
    logText`Pushed ${where}@${pushed.digest} (${pushed.size} bytes: ${count(how, "uploaded")} uploaded, ${count(how, "present")} already there, ${count(how, "mounted")} mounted), tagged ${pushed.tags.join(", ")}.`
  );
  const ownerKind = githubOwnerKind(spec.repository, context.run);
  const record = {
    repository: where,
    link: packageLink(spec.repository, ownerKind),
    digest: pushed.digest,
    tags: pushed.tags,
    pushed: true
  };
  if (isGhcr(spec.repository) && !backup.files.some((file) => file.endsWith(".age"))) {
    await warnIfPublic(spec.repository, token, context, ownerKind);
  }
  if (spec.keep) record.keep = await keepBackups(spec, client, token, context, pushed.digest);
  return record;
}
async function warnIfPublic(repository, token, context, ownerKind) {
  const visibility = token ? await packageVisibility({
    repository,
    apiUrl: context.run.apiUrl,
    token,
    fetch: context.fetch,
    ...ownerKind ? { ownerKind } : {}
  }).catch(() => void 0) : void 0;
  const why = visibility === "public" ? "the package is public" : visibility === void 0 && publicRepository(context.run) ? "this workflow runs in a public repository, and GHCR makes a package first published from one public" : void 0;
  if (!why) return;
  context.log.warning(
    logText`The backup pushed to ${repositoryText(repository)} is not encrypted and ${why}: anyone can pull it and read every license. Add \`encrypt-to\` to the backup step, and check the package's visibility on ${packageSettings(repository, ownerKind)}.`
  );
}
function publicRepository(run) {
  if (!run.eventPath) return false;
  try {
    const event = JSON.parse(readFileSync(run.eventPath, "utf8"));
    return event.repository?.visibility === "public" || event.repository?.private === false;
  } catch {
    return false;
  }
}
async function keepBackups(spec, client, token, context, pushed) {
  const { dryRun, ...policy } = spec.keep ?? { dryRun: false };
  const ownerKind = githubOwnerKind(spec.repository, context.run);
  const deleter = isGhcr(spec.repository) && token ? githubPackagesDeleter({
    repository: spec.repository,
    apiUrl: context.run.apiUrl,
    token,
    fetch: context.fetch,
    ...ownerKind ? { ownerKind } : {}
  }) : void 0;
  try {
    const result = await applyKeep(client, policy, {
      dryRun,
      pushed,
      now: new Date(context.now()),
      ...deleter ? { deleter } : {}
    });
    logKeep(result, policy, context.log);
    for (const failed of result.failed) {
      context.log.warning(
        logText`keep did not delete ${failed.tag} (${failed.digest}) from ${repositoryText(spec.repository)}: ${failed.reason} The backup just pushed is in place. ${deleteHint(spec.repository, ownerKind)}`
      );
    }
    if (result.future.length) {
      context.log.warning(
        logText`keep left ${result.future.map((f) => f.tag).join(", ")} in ${repositoryText(spec.repository)} alone: dated more than ${FUTURE_SKEW_MS / 6e4} minutes after this runner's clock (${new Date(context.now()).toISOString()}), so a clock ran ahead when it was pushed; such backups count for no rule. Delete them by hand once they are not needed.`
      );
    }
    return result;
  } catch (error) {
    if (!(error instanceof LicenseBackupError) || error.code === "CANCELLED") throw error;
    context.log.warning(
      logText`keep was not applied to ${repositoryText(spec.repository)}: ${error.message} The backup just pushed is in place. ${deleteHint(spec.repository, ownerKind)}`
    );
    return void 0;
  }
}
function deleteHint(repository, ownerKind) {
  if (!isGhcr(repository))
    return "The token needs delete rights in the repository, and the registry must allow deletes.";
  return `Deleting needs the Admin role on the package for this workflow's repository (given to the repository that first published it; others: ${packageSettings(repository, ownerKind)}, Manage Actions access) and \`packages: write\`.`;
}
async function pullFromRegistry(spec, token, context) {
  const client = clientFor(spec.reference, spec, token, context);
  const folder = await mkdtemp(join6(context.run.tempDir ?? tmpdir2(), "license-backup-registry-"));
  try {
    context.log.info(logText`Pulling ${referenceText(spec.reference)}.`);
    const pulled = await pullBackup(client, spec.reference, folder);
    context.log.info(
      logText`Pulled ${repositoryText(spec.reference)}@${pulled.digest}: ${pulled.files.join(", ")}, every blob matching its digest.`
    );
    if (pulled.skipped.length) {
      context.log.info(logText`Not downloaded (not files of a backup folder): ${pulled.skipped.join(", ")}.`);
    }
    return {
      folder,
      record: {
        repository: repositoryText(spec.reference),
        link: packageLink(spec.reference, githubOwnerKind(spec.reference, context.run)),
        digest: pulled.digest,
        tags: spec.reference.tag ? [spec.reference.tag] : [],
        pushed: false
      }
    };
  } catch (error) {
    await rm4(folder, { recursive: true, force: true });
    throw error;
  }
}
function clientFor(repository, login, token, context) {
  const username = login.username ?? context.run.actor ?? "license-backup";
  return new RegistryClient(repository, {
    ...token === void 0 ? {} : {
      credentials: { username, password: token },
      credentialsHint: `user ${username} and the token in $${login.tokenEnv?.name ?? ""}`
    },
    ...login.tokenRealms ? { tokenRealms: login.tokenRealms } : {},
    warn: (message) => context.log.warning(logText`${message}`),
    fetch: context.fetch,
    signal: context.signal,
    onToken: (token2) => context.onToken(token2),
    now: context.now
  });
}
function githubOwnerKind(repository, run) {
  if (!isGhcr(repository) || !run.eventPath) return void 0;
  try {
    const event = JSON.parse(readFileSync(run.eventPath, "utf8"));
    const owner = event.repository?.owner;
    if (typeof owner?.login !== "string") return void 0;
    if (owner.login.toLowerCase() !== repository.name.split("/")[0]) return void 0;
    return owner.type === "Organization" ? "orgs" : owner.type === "User" ? "users" : void 0;
  } catch {
    return void 0;
  }
}
function logKeep(result, policy, log2) {
  const rules = KEEP_RULES.filter((rule) => policy[rule] !== void 0).map((rule) => `${rule} ${policy[rule]}`).join(", ");
  const verb = result.dryRun ? "would delete" : "deleted";
  log2.info(
    logText`Retention (${rules}${result.dryRun ? ", dry run" : ""}): kept ${result.kept.length}, ${verb} ${result.deleted.length}.`
  );
  for (const kept of result.kept) log2.info(logText`  kept ${kept.tag} (${kept.reasons.join(", ")})`);
  for (const deleted of result.deleted) log2.info(logText`  ${verb} ${deleted.tag} (${deleted.digest})`);
}
function count(values, what) {
  return values.filter((value) => value === what).length;
}

// src/action/steps/engine-options.ts
function storeOptions(step) {
  return {
    store: step.store,
    ...step.pattern === void 0 ? {} : { pattern: step.pattern },
    ...step.catalog === void 0 ? {} : { catalog: step.catalog },
    ...step.trust === void 0 ? {} : { trust: step.trust },
    ...step.rollBackInterrupted ? { rollBackInterrupted: true } : {}
  };
}
function trustOptions(step) {
  return {
    ...step.signers === void 0 ? {} : { signers: step.signers },
    ...step.maxAgeMs === void 0 ? {} : { maxAgeMs: step.maxAgeMs }
  };
}
function slotOptions(step, secrets) {
  return {
    ...step.include ? { include: step.include } : {},
    ...secrets.machineKey === void 0 ? {} : { machineKey: secrets.machineKey },
    ...step.kind !== "release" && step.leaseSeconds !== void 0 ? { lease: step.leaseSeconds } : {}
  };
}
function backupOptions(step, secrets, origin) {
  return {
    ...storeOptions(step),
    path: step.path,
    overwrite: step.overwrite,
    ...step.encryptTo ? { encryptTo: step.encryptTo } : {},
    ...step.compression ? { compression: step.compression } : {},
    ...step.format ? { format: step.format } : {},
    ...secrets.signingKey ? { sign: secrets.signingKey } : {},
    ...origin && step.format !== "license-backup/v1" ? { origin } : {}
  };
}
function restoreOptions(step, path, secrets) {
  return {
    ...storeOptions(step),
    path,
    service: { url: step.service.url, token: secrets.token ?? "" },
    individualize: step.individualize,
    ...secrets.ageIdentity === void 0 ? {} : { ageIdentity: secrets.ageIdentity },
    ...trustOptions(step),
    ...slotOptions(step, secrets),
    onRefused: step.onRefused
  };
}
function verifyOptions(step, path, secrets) {
  return {
    path,
    ...step.trust === void 0 ? {} : { trust: step.trust },
    ...step.catalog === void 0 ? {} : { catalog: step.catalog },
    ...secrets.ageIdentity === void 0 ? {} : { ageIdentity: secrets.ageIdentity },
    ...trustOptions(step)
  };
}
function releaseOptions(step, secrets) {
  return {
    store: step.store,
    ...step.pattern === void 0 ? {} : { pattern: step.pattern },
    service: { url: step.service.url, token: secrets.token ?? "" },
    ...slotOptions(step, secrets),
    ...step.rollBackInterrupted ? { rollBackInterrupted: true } : {}
  };
}
function renewOptions(step, secrets) {
  return {
    ...storeOptions(step),
    service: { url: step.service.url, token: secrets.token ?? "" },
    ...slotOptions(step, secrets)
  };
}

// src/action/run-steps.ts
var REGISTRY_HOST = { log, onToken: mask };
async function runSteps(steps, context) {
  for (const [n, step] of steps.entries()) {
    if (context.signal.aborted) throw cancelled("run");
    await log.group(logText`${title(step, n + 1, context.total)}`, () => runStep(step, n + 1, context));
  }
  if (context.signal.aborted) throw cancelled("run");
}
function runStep(step, n, context) {
  if (step.kind === "backup") return runBackup(step, n, context);
  if (step.kind === "restore") return runRestore(step, n, context);
  if (step.kind === "release") return runRelease(step, n, context);
  if (step.kind === "renew") return runRenew(step, n, context);
  return runVerify(step, n, context);
}
function title(step, n, total) {
  const count2 = `step ${n} of ${total}`;
  if (step.kind === "backup") return `Backup (${count2}): ${step.store} \u2192 ${step.path}`;
  if (step.kind === "release") return `Release (${count2}): ${step.store} \u2192 ${step.service.url}`;
  if (step.kind === "renew") return `Renew (${count2}): ${step.store} \u2194 ${step.service.url}`;
  const from = restoreSource(step);
  if (step.kind === "verify") return `Verify (${count2}): ${from}`;
  return `Restore (${count2}): ${from} \u2192 ${step.store}`;
}
function restoreSource(step) {
  if (step.fromArtifact) return `artifact "${step.fromArtifact.name}"`;
  if (step.fromRegistry) return referenceText(step.fromRegistry.reference);
  return step.path;
}
async function runBackup(step, n, context) {
  const policy = context.onRestricted ?? step.onRestricted;
  const stepLog = new StepLog(policy, context.now);
  const record = {
    kind: "backup",
    title: title(step, n, context.total),
    outcome: "failed",
    durationMs: 0,
    path: step.path
  };
  await tracked(record, stepLog, context, stepLog.onEvent, async () => {
    const result = await context.engine.backup(
      backupOptions(step, context.secrets.get(step) ?? {}, context.origin),
      { signal: context.signal }
    );
    stepLog.finish();
    record.path = result.path;
    record.backedUp = result.backedUp;
    record.restricted = result.restricted;
    record.restrictedListedIn = restrictedListedIn(result, policy);
    record.packSize = result.packSize;
    record.signed = result.files.includes("manifest.json.sig");
    const perLicense = result.backedUp > 0 ? `, ${bytesPerLicense(result.packSize, result.backedUp)} bytes a license` : "";
    log.info(
      logText`Backed up ${result.backedUp} license(s) to ${result.path} (${result.manifest.format}, pack ${result.packSize} bytes${perLicense})${result.restricted.length ? `; ${result.restricted.length} restricted license(s) left out` : ""}.`
    );
    if (step.artifact) {
      throwIfAborted(context.signal, "artifact upload");
      const name = step.artifact.name ?? defaultArtifactName(context.run, context.uploadsWithDefaultName > 1 ? step.index : void 0);
      record.artifact = await uploadBackup(
        await context.artifacts(),
        result,
        step.artifact,
        name,
        context.run
      );
    }
    if (step.registry) {
      throwIfAborted(context.signal, "registry push");
      const token = context.secrets.get(step)?.registryToken;
      record.registry = await pushToRegistry(step.registry, result, token, { ...context, ...REGISTRY_HOST });
    }
    if (policy === "error" && result.restricted.length > 0) {
      throw new RestrictedLicensesError(
        result.restricted.map((r) => r.key_id),
        result.path
      );
    }
  });
}
function restrictedListedIn(result, policy) {
  const index = result.manifest.format === "license-backup/v1" ? `manifest.json (\`restricted\`)` : `${result.manifest.pack.file} (\`restricted\` in its .license-backup/index.json)`;
  const log2 = policy === "ignore" ? "" : "the step's log and ";
  return `${log2}the backup's ${index} in ${result.path}`;
}
async function runRestore(step, n, context) {
  const stepLog = new StepLog("warn", context.now);
  const record = newRecord("restore", step, n, context);
  const restoredIds = [];
  const listener = step.releaseOnExit ? (event) => {
    stepLog.onEvent(event);
    if (event.type === "LICENSE" && event.outcome === "restored") restoredIds.push(event.licenseId);
  } : stepLog.onEvent;
  let downloaded;
  try {
    await tracked(record, stepLog, context, listener, async () => {
      const secrets = context.secrets.get(step) ?? {};
      const path = await backupFolder(step, context, record, (dir) => {
        downloaded = dir;
      });
      throwIfAborted(context.signal, "restore");
      const result = await context.engine.restore(restoreOptions(step, path, secrets), {
        signal: context.signal
      });
      if (step.releaseOnExit) rememberForExit(step, restoredIds);
      record.restored = result.restored;
      record.unchanged = result.unchanged;
      record.expired = result.expired;
      record.skipped = result.skipped;
      if (result.leaseExpires) record.leaseExpires = result.leaseExpires;
      log.info(
        logText`Restored ${result.restored} license(s) into ${step.store} for machine ${result.machineId}; ${result.unchanged} already there, ${result.expired} expired (not restored), ${result.skipped.length} refused and skipped (on-refused: skip).`
      );
      for (const skipped of result.skipped) {
        log.info(logText`Skipped license ${skipped.jti} (key ID ${skipped.key_id}): ${skipped.reason}`);
      }
    });
  } finally {
    if (downloaded) await rm5(downloaded, { recursive: true, force: true });
  }
}
async function runVerify(step, n, context) {
  const stepLog = new StepLog("warn", context.now);
  const record = newRecord("verify", step, n, context);
  let downloaded;
  try {
    await tracked(record, stepLog, context, stepLog.onEvent, async () => {
      const path = await backupFolder(step, context, record, (dir) => {
        downloaded = dir;
      });
      throwIfAborted(context.signal, "verify");
      const result = await context.engine.verify(verifyOptions(step, path, context.secrets.get(step) ?? {}), {
        signal: context.signal
      });
      record.verified = result.verified;
      record.packSize = result.packSize;
      if (result.origin) record.origin = result.origin;
      if (result.signer) record.signer = result.signer;
      log.info(
        logText`Verified ${result.verified} license(s) in the ${result.format} backup${result.signaturesChecked ? ", every signature checked" : ""}${result.signer ? `; manifest signed by ${result.signer}` : ""}. Nothing was written and no service was called.`
      );
    });
  } finally {
    if (downloaded) await rm5(downloaded, { recursive: true, force: true });
  }
}
async function backupFolder(step, context, record, onDownloaded) {
  record.path = restoreSource(step);
  if (step.fromArtifact) {
    const download = await downloadBackup(step.fromArtifact, {
      client: await context.artifacts(),
      run: context.run,
      token: context.githubToken,
      fetch: context.fetch,
      now: context.now
    });
    onDownloaded(download.dir);
    record.path = download.description;
    return downloadedInstead(step, download.dir);
  }
  if (step.fromRegistry) {
    const token = context.secrets.get(step)?.registryToken;
    const pulled = await pullFromRegistry(step.fromRegistry, token, { ...context, ...REGISTRY_HOST });
    onDownloaded(pulled.folder);
    record.registry = pulled.record;
    return downloadedInstead(step, pulled.folder);
  }
  return step.path ?? "";
}
function downloadedInstead(step, dir) {
  if (step.path) log.info(logText`Reading the downloaded backup; \`path\` (${step.path}) is not used.`);
  return dir;
}
async function runRelease(step, n, context) {
  const stepLog = new StepLog("warn", context.now);
  const record = newRecord("release", step, n, context);
  await tracked(record, stepLog, context, stepLog.onEvent, async () => {
    const secrets = context.secrets.get(step) ?? {};
    const result = await context.engine.release(releaseOptions(step, secrets), { signal: context.signal });
    record.released = result.released + result.notHeld;
    log.info(
      result.machineId === null ? logText`The store ${step.store} has no machine key: nothing of it holds a slot.` : logText`Released ${result.released + result.notHeld} license(s) of machine ${result.machineId} from ${step.store} (${result.notHeld} no longer held at the service); a lease service frees each slot when the released copy's lease ends.`
    );
  });
}
async function runRenew(step, n, context) {
  const stepLog = new StepLog("warn", context.now);
  const record = newRecord("renew", step, n, context);
  await tracked(record, stepLog, context, stepLog.onEvent, async () => {
    const secrets = context.secrets.get(step) ?? {};
    const result = await context.engine.renew(renewOptions(step, secrets), { signal: context.signal });
    record.renewed = result.renewed;
    if (result.leaseExpires) record.leaseExpires = result.leaseExpires;
    log.info(
      result.machineId === null ? logText`The store ${step.store} has no machine key: it holds no lease copy to renew.` : logText`Renewed ${result.renewed} lease copy(ies) of machine ${result.machineId} in ${step.store}${result.leaseExpires ? `; the earliest lease now ends ${result.leaseExpires}` : ""}${result.expired ? `; ${result.expired} whose license has expired left as they were` : ""}.`
    );
  });
}
function newRecord(kind, step, n, context) {
  return { kind, title: title(step, n, context.total), outcome: "failed", durationMs: 0 };
}
async function tracked(record, stepLog, context, listener, body) {
  const started = context.now();
  context.listen(listener);
  try {
    await body();
    record.outcome = "succeeded";
  } catch (error) {
    const wasCancelled = context.signal.aborted || isLicenseBackupError(error) && error.code === "CANCELLED";
    record.outcome = wasCancelled ? "cancelled" : "failed";
    record.error = errorText(error);
    throw error;
  } finally {
    context.listen(void 0);
    if (stepLog.refused.length) record.refused = stepLog.refused;
    record.durationMs = context.now() - started;
    context.report.add(record);
  }
}
export {
  runSteps
};
