import Foundation

/// Asking a person before a destructive step, on the terminal they typed the command in.
enum Confirmation {
    /// Whether standard input is a terminal: a person who can answer, rather than cron or a pipe.
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Prints `question` on standard error and reads one line; true only for `y` or `yes`.
    static func ask(_ question: String) -> Bool {
        Console.stderr(question + " [y/N] ")
        guard let answer = readLine() else {
            Console.stderr("\n")
            return false
        }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
