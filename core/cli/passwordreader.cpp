#include "passwordreader.h"

#include <QTextStream>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace rd {

namespace {

// Restores the terminal's echo however the prompt ends.
class EchoOff
{
public:
    explicit EchoOff(int fd) : m_fd(fd)
    {
        if (tcgetattr(m_fd, &m_saved) != 0)
            return;
        termios silent = m_saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        m_active = tcsetattr(m_fd, TCSANOW, &silent) == 0;
    }
    ~EchoOff()
    {
        if (m_active)
            tcsetattr(m_fd, TCSANOW, &m_saved);
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;

private:
    int m_fd;
    termios m_saved{};
    bool m_active = false;
};

enum class LineRead { Line, Nothing, TooLong };

// Reads one line from stdin without Qt buffering, so that later reads see the following lines.
// The line goes straight into wiped memory.
LineRead readStdinLine(SecretBytes *line)
{
    SecretBytes buffer(PasswordReader::MaxSecretLength + 1);
    std::size_t size = 0;
    bool any = false;
    char c = 0;
    while (::read(STDIN_FILENO, &c, 1) == 1) {
        any = true;
        if (c == '\n')
            break;
        if (size == buffer.size())
            return LineRead::TooLong;
        buffer.data()[size++] = uchar(c);
    }
    if (size > 0 && buffer.data()[size - 1] == '\r')
        --size;
    if (size > PasswordReader::MaxSecretLength)
        return LineRead::TooLong;
    *line = SecretBytes(QByteArrayView(buffer.data(), qsizetype(size)));
    c = 0;
    return any ? LineRead::Line : LineRead::Nothing;
}

} // namespace

PasswordReader::PasswordReader(bool fromStdin) : m_fromStdin(fromStdin) {}

CommandResult<SecretBytes> PasswordReader::read(const QString &environmentVariable, const QString &promptText,
                                               bool confirm, ExitCode missingCode)
{
    if (!environmentVariable.isEmpty()) {
        SecretBytes fromEnvironment = SecretBytes::take(qgetenv(environmentVariable.toLocal8Bit().constData()));
        if (!fromEnvironment.isEmpty())
            return fromEnvironment;
    }
    if (m_fromStdin)
        return nextStdinLine(promptText);
    if (!isatty(STDIN_FILENO)) {
        const QString hint = environmentVariable.isEmpty()
                                 ? tr("Pass --password-stdin and write it as a line on stdin.")
                                 : tr("Set %1, or pass --password-stdin and write it as a line on stdin.")
                                       .arg(environmentVariable);
        return commandFailure(missingCode,
                              tr("%1 is needed, and there is no terminal to ask on.").arg(promptText), hint);
    }
    auto first = prompt(promptText);
    if (!first || !confirm)
        return first;
    auto second = prompt(tr("Repeat it"));
    if (!second)
        return second;
    if (!first->equals(second->view()))
        return commandFailure(ExitCode::Invalid, tr("The two entries differ."), tr("Run the command again."));
    return first;
}

CommandResult<SecretBytes> PasswordReader::nextStdinLine(const QString &what)
{
    SecretBytes line;
    const LineRead read = readStdinLine(&line);
    if (read == LineRead::TooLong)
        return tooLong(what);
    if (read == LineRead::Nothing || line.isEmpty())
        return commandFailure(ExitCode::Usage,
                              tr("%1 was expected as a line on stdin, but none came.").arg(what),
                              tr("Write one line per secret, in the order the command asks for them."));
    return line;
}

CommandResult<SecretBytes> PasswordReader::tooLong(const QString &what)
{
    return commandFailure(ExitCode::Usage,
                          tr("%1 is longer than %2 bytes, so it was not read.").arg(what).arg(MaxSecretLength),
                          tr("Give the secret itself on one line, not a file."));
}

CommandResult<SecretBytes> PasswordReader::prompt(const QString &text)
{
    QTextStream err(stderr);
    err << text << QStringLiteral(": ");
    err.flush();
    SecretBytes line;
    LineRead read = LineRead::Nothing;
    {
        EchoOff echoOff(STDIN_FILENO);
        read = readStdinLine(&line);
    }
    err << Qt::endl;
    if (read == LineRead::TooLong)
        return tooLong(text);
    if (read == LineRead::Nothing || line.isEmpty())
        return commandFailure(ExitCode::Usage, tr("Nothing was entered."), tr("Run the command again."));
    return line;
}

} // namespace rd
