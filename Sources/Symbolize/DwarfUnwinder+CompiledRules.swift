import CElfDwarf

/// The fast path: a walk of rip, rsp and rbp over the copied stack with compiled rules cached per
/// module file and address range, instead of libdwfl re-interpreting the CFI for every frame of
/// every sample. It answers only when it is sure to give libdwfl's answer; otherwise nil, and the
/// caller unwinds the whole sample with libdwfl.
extension DwarfUnwinder {
    /// Leaf-first PCs as `celf_unwinder_unwind` gives them, or nil when a frame needs the interpreter.
    /// Lock held.
    func walkWithCompiledRules(session: Session, registers: [UInt64], stack: UnsafeRawBufferPointer,
                               stackPointer: UInt64) -> [UInt64]? {
        let rip = registers[Int(CELF_X86_64_RIP)]
        var rsp = registers[Int(CELF_X86_64_RSP)]
        var rbp: UInt64? = registers[Int(CELF_X86_64_RBP)]
        var pcs = [rip]
        pcs.reserveCapacity(32)
        // The leaf's rule is at rip itself; a caller's at its return address - 1 (inside the call).
        var lookup = rip
        while pcs.count < maximumFrames {
            guard let rule = compiledRule(session: session, at: lookup) else {
                unwindCounts.fallbackNoModule += 1
                return nil
            }
            guard rule.status == UInt8(CELF_RULE_OK) else {
                if rule.status == UInt8(CELF_RULE_NO_CFI) { unwindCounts.fallbackNoCFI += 1 } else { unwindCounts.fallbackUnsupportedRule += 1 }
                return nil
            }
            let base: UInt64
            if rule.cfa_register == UInt8(CELF_X86_64_RSP) {
                base = rsp
            } else if let rbp {
                base = rbp
            } else {
                break  // libdwfl: the CFA needs an unknown rbp, so the caller's pc is undefined
            }
            let cfa = base &+ UInt64(bitPattern: rule.cfa_offset)
            if rule.return_address == UInt8(CELF_SAVED_UNDEFINED) { break }  // the outermost frame
            let returnSlot = cfa &+ UInt64(bitPattern: rule.return_address_offset)
            guard let returnAddress = Self.read(stack, base: stackPointer, at: returnSlot) else {
                // libdwfl would serve an address inside a module from its file: leave that to it.
                if session.modules.module(containing: returnSlot) != nil {
                    unwindCounts.fallbackSlotInModule += 1
                    return nil
                }
                break
            }
            switch rule.frame_pointer {
            case UInt8(CELF_SAVED_SAME_VALUE):
                break
            case UInt8(CELF_SAVED_AT_CFA):
                let slot = cfa &+ UInt64(bitPattern: rule.frame_pointer_offset)
                rbp = Self.read(stack, base: stackPointer, at: slot)
                if rbp == nil, session.modules.module(containing: slot) != nil {
                    unwindCounts.fallbackSlotInModule += 1
                    return nil
                }
            default:
                rbp = nil
            }
            if returnAddress == 0 { break }
            // A CFA that does not grow would loop; libdwfl's answer is then not worth guessing.
            guard cfa > rsp else {
                unwindCounts.fallbackCFANotGrowing += 1
                return nil
            }
            rsp = cfa
            pcs.append(returnAddress)
            lookup = returnAddress &- 1
        }
        return pcs
    }

    /// The rule at runtime address `address`: cached per (module file, ELF address range), compiled
    /// by libdw on a miss. Nil outside every module.
    private func compiledRule(session: Session, at address: UInt64) -> celf_unwind_rule? {
        guard let module = session.modules.module(containing: address) else { return nil }
        let elfAddress = address &- module.bias
        if let known = rules.rule(module: module.ruleKey, address: elfAddress) { return known }
        var rule = celf_unwind_rule()
        _ = celf_unwinder_rule_at(session.handle, address, &rule)
        unwindCounts.rulesCompiled += 1
        rules.insert(rule, module: module.ruleKey, address: elfAddress,
                     start: rule.start &- module.bias, end: rule.end &- module.bias)
        return rule
    }

    /// The 8 bytes at `address` when the copy (taken from `base` upwards) holds all of them.
    private static func read(_ stack: UnsafeRawBufferPointer, base: UInt64, at address: UInt64) -> UInt64? {
        guard address >= base else { return nil }
        let offset = address - base
        guard offset < UInt64(stack.count), UInt64(stack.count) - offset >= 8 else { return nil }
        return UInt64(littleEndian: stack.loadUnaligned(fromByteOffset: Int(offset), as: UInt64.self))
    }
}
