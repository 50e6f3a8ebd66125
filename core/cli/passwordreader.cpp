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

// Reads one line from stdin without Qt buffering, so that later reads see the following lines.
bool readStdinLine(QByteArray *line)
{
    line->clear();
    bool any = false;
    char c = 0;
    while (::read(STDIN_FILENO, &c, 1) == 1) {
        any = true;
        if (c == '\n')
            break;
        line->append(c);
    }
    if (line->endsWith('\r'))
        line->chop(1);
    return any;
}

} // namespace

PasswordReader::PasswordReader(bool fromStdin) : m_fromStdin(fromStdin) {}

CommandResult<QByteArray> PasswordReader::read(const QString &environmentVariable, const QString &promptText,
                                               bool confirm, ExitCode missingCode)
{
    if (!environmentVariable.isEmpty()) {
        const QByteArray fromEnvironment = qgetenv(environmentVariable.toLocal8Bit().constData());
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
    if (*first != *second)
        return commandFailure(ExitCode::Invalid, tr("The two entries differ."), tr("Run the command again."));
    return first;
}

CommandResult<QByteArray> PasswordReader::nextStdinLine(const QString &what)
{
    QByteArray line;
    if (!readStdinLine(&line) || line.isEmpty())
        return commandFailure(ExitCode::Usage,
                              tr("%1 was expected as a line on stdin, but none came.").arg(what),
                              tr("Write one line per secret, in the order the command asks for them."));
    return line;
}

CommandResult<QByteArray> PasswordReader::prompt(const QString &text)
{
    QTextStream err(stderr);
    err << text << QStringLiteral(": ");
    err.flush();
    QByteArray line;
    bool any = false;
    {
        EchoOff echoOff(STDIN_FILENO);
        any = readStdinLine(&line);
    }
    err << Qt::endl;
    if (!any || line.isEmpty())
        return commandFailure(ExitCode::Usage, tr("Nothing was entered."), tr("Run the command again."));
    return line;
}

} // namespace rd
