import Foundation

/// Standard output for data that a reader may stop reading early (`bulkgrant grants list | head`).
///
/// SIGPIPE is ignored in this process (the HTTP stack needs that), so a closed pipe shows up as
/// EPIPE, which `FileHandle.write` turns into a crash. Here it ends the process quietly, as
/// the reader asked.
enum Stdout {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { posixWrite(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                terminate(errno == EPIPE ? 0 : Exit.stopped.rawValue)
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

// File scope, where `write` is the C function rather than `Stdout.write`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
