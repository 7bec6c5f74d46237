import CBPF
import Symbolize

extension flamelab_py_offsets {
    /// The walker's offsets as bpf/python.h lays them out in `flamelab_py_procs`.
    init(_ offsets: PythonWalkerOffsets) {
        self.init(
            runtime_tstate_current: offsets.runtimeTstateCurrent, runtime_interpreters_head: offsets.runtimeInterpretersHead,
            interp_next: offsets.interpNext, interp_threads_head: offsets.interpThreadsHead, tstate_next: offsets.tstateNext,
            tstate_native_thread_id: offsets.tstateNativeThreadID, tstate_frame: offsets.tstateFrame,
            cframe_current_frame: offsets.cframeCurrentFrame, frame_code: offsets.frameCode, frame_instr: offsets.frameInstr,
            frame_previous: offsets.framePrevious, frame_owner: offsets.frameOwner, frame_is_entry: offsets.frameIsEntry,
            frame_owner_cstack: offsets.frameOwnerCStack, code_firstlineno: offsets.codeFirstLineNumber,
            code_code_adaptive: offsets.codeCodeAdaptive, code_unit_size: offsets.codeUnitSize, version_hex: offsets.versionHex)
    }
}
