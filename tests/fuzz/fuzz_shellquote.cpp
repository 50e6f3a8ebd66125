// The one shell quoting function: for any text, `sh -c 'printf %s <quoted>'` prints exactly that
// text. (A NUL cannot travel in a command line at all, so texts with one are left out.)
#include "fuzzsupport.h"

#include "ssh/remotecommand.h"

#include <cerrno>
#include <cstdio>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd::fuzz::Environment::get();
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const QByteArray expected = text.toUtf8();
    if (expected.contains('\0'))
        return 0;
    const QByteArray command = "printf %s " + rd::RemoteCommand::quote(text).toUtf8();
    FILE *shell = ::popen(command.constData(), "r");
    rd::fuzz::require(shell != nullptr, "the shell starts");
    QByteArray printed;
    char buffer[4096];
    // libFuzzer's timer (SIGALRM) interrupts reads: a read cut short is retried, not taken as the end.
    for (;;) {
        const ssize_t got = ::read(::fileno(shell), buffer, sizeof buffer);
        if (got > 0)
            printed.append(buffer, qsizetype(got));
        else if (got == 0 || errno != EINTR)
            break;
    }
    const int status = ::pclose(shell);
    rd::fuzz::require(status == 0, "the quoted command runs");
    rd::fuzz::require(printed == expected, "the shell prints exactly the quoted text");
    return 0;
}
