import ProfileModel
import CPythonProbe

extension PythonFrameResolver {
    /// Longest name or path accepted, in characters: more means the pointer was not a real name.
    static let stringLimit = 4096
    /// Largest line table accepted, in bytes.
    static let lineTableLimit = 1 << 20

    /// Reads and validates the code object `raw.code`.
    func readCode(reader: PythonMemoryReader, raw: PythonRawFrame, process: PythonProcessInfo?) throws -> PythonCodeInfo {
        let layout = (process?.layout ?? .python311).raw
        let headerSize = Int(max(layout.code_linetable, layout.code_qualname, layout.code_filename, layout.code_firstlineno)) + 8
        let header = try reader.bytes(at: raw.code, count: headerSize)
        let field = { (offset: UInt32) in PythonMemoryReader.load(UInt64.self, from: header, at: Int(offset)) }
        try expectType(field(layout.object_type), process?.codeTypeAddress, what: "code object", at: raw.code)
        let firstLine = PythonMemoryReader.load(Int32.self, from: header, at: Int(layout.code_firstlineno))
        guard firstLine == raw.firstLineNumber else {
            throw FlamelabError.failed("validate", "code object at 0x\(String(raw.code, radix: 16))",
                                        "co_firstlineno \(firstLine), sample had \(raw.firstLineNumber) (reused memory)")
        }
        let qualifiedName = try readString(reader: reader, at: field(layout.code_qualname), process: process)
        let fileName = try readString(reader: reader, at: field(layout.code_filename), process: process)
        let table = try? readBytes(reader: reader, at: field(layout.code_linetable), process: process)
        let lineTable = table.flatMap { try? PythonLineTable(table: $0, firstLine: Int(firstLine)) }
        return PythonCodeInfo(qualifiedName: qualifiedName, fileName: fileName, firstLine: Int(firstLine), lineTable: lineTable)
    }

    /// Reads a `str` object (PEP 393: compact ASCII, compact UCS1/2/4, or legacy with a data pointer).
    func readString(reader: PythonMemoryReader, at address: UInt64, process: PythonProcessInfo?) throws -> String {
        let layout = (process?.layout ?? .python311).raw
        let header = try reader.bytes(at: address, count: Int(layout.str_compact_data))
        try expectType(PythonMemoryReader.load(UInt64.self, from: header, at: Int(layout.object_type)),
                       process?.unicodeTypeAddress, what: "str", at: address)
        let length = PythonMemoryReader.load(Int64.self, from: header, at: Int(layout.str_length))
        let state = PythonMemoryReader.load(UInt32.self, from: header, at: Int(layout.str_state))
        let kind = Int((state & layout.str_state_kind_mask) >> layout.str_state_kind_shift)
        guard length >= 0, length <= PythonFrameResolver.stringLimit, [1, 2, 4].contains(kind) else {
            throw FlamelabError.failed("read", "str at 0x\(String(address, radix: 16))", "length \(length), kind \(kind)")
        }
        let isASCII = state & layout.str_state_ascii_mask != 0
        let data: UInt64
        if state & layout.str_state_compact_mask != 0 {
            data = address &+ UInt64(isASCII ? layout.str_ascii_data : layout.str_compact_data)
        } else {
            data = PythonMemoryReader.load(UInt64.self, from: header, at: Int(layout.str_legacy_data))
        }
        let bytes = try reader.bytes(at: data, count: Int(length) * kind)
        return PythonFrameResolver.decode(bytes, kind: kind)
    }

    /// Reads a `bytes` object's payload.
    func readBytes(reader: PythonMemoryReader, at address: UInt64, process: PythonProcessInfo?) throws -> [UInt8] {
        let layout = (process?.layout ?? .python311).raw
        let header = try reader.bytes(at: address, count: Int(layout.bytes_data))
        try expectType(PythonMemoryReader.load(UInt64.self, from: header, at: Int(layout.object_type)),
                       process?.bytesTypeAddress, what: "bytes", at: address)
        let size = PythonMemoryReader.load(Int64.self, from: header, at: Int(layout.var_size))
        guard size >= 0, size <= PythonFrameResolver.lineTableLimit else {
            throw FlamelabError.failed("read", "bytes at 0x\(String(address, radix: 16))", "size \(size)")
        }
        return try reader.bytes(at: address &+ UInt64(layout.bytes_data), count: Int(size))
    }

    /// Checks an object's `ob_type` when the expected type's address is known.
    private func expectType(_ actual: UInt64, _ expected: UInt64?, what: String, at address: UInt64) throws {
        guard let expected, expected != 0, actual != expected else { return }
        throw FlamelabError.failed("validate", "\(what) at 0x\(String(address, radix: 16))",
                                    "ob_type 0x\(String(actual, radix: 16)) is not 0x\(String(expected, radix: 16))")
    }

    /// PEP 393 code points (1, 2 or 4 bytes each, little-endian) to a String; invalid ones become U+FFFD.
    static func decode(_ bytes: [UInt8], kind: Int) -> String {
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index + kind <= bytes.count {
            var value: UInt32 = 0
            for byte in 0..<kind { value |= UInt32(bytes[index + byte]) << (8 * UInt32(byte)) }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            index += kind
        }
        return String(scalars)
    }
}
