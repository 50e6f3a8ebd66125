#pragma once

#include <QString>
#include <QStringList>

namespace rd {

// The one place where remote shell commands are put together. Every argument is single-quoted, so
// names with spaces, quotes or $(...) reach the remote shell as plain words.
class RemoteCommand
{
public:
    explicit RemoteCommand(const QString &program) { m_words.append(quote(program)); }

    RemoteCommand &arg(const QString &value)
    {
        m_words.append(quote(value));
        return *this;
    }
    RemoteCommand &args(const QStringList &values)
    {
        for (const QString &value : values)
            arg(value);
        return *this;
    }
    // A fixed operator or redirection from our own code, never from input (">", "2>&1", "&&").
    RemoteCommand &raw(const QString &syntax)
    {
        m_words.append(syntax);
        return *this;
    }
    QString toString() const { return m_words.join(u' '); }

    static QString quote(const QString &value);
    // A shell expression printing "<sha256 hex> ..." of the file at `pathExpression` (a quoted path or
    // "$var"): OpenSSL's hardware-accelerated digest where installed, else coreutils' sha256sum. A file
    // known to be small (`bytes` under 1 MiB) goes to sha256sum alone, which starts in a third of
    // OpenSSL's time: on a fleet the start is all a small file costs.
    static QString sha256Of(const QString &pathExpression, qint64 bytes = -1)
    {
        if (bytes >= 0 && bytes < (1 << 20))
            return QStringLiteral("sha256sum < %1").arg(pathExpression);
        return QStringLiteral("{ openssl dgst -sha256 -r < %1 2>/dev/null || sha256sum < %1; }").arg(pathExpression);
    }
    // Copies exactly `bytes` bytes of standard input to the file at `pathExpression` and leaves the
    // rest unread: dd in 1 MiB blocks where it can count bytes (GNU), else head, 8 KiB at a time.
    static QString copyInput(qint64 bytes, const QString &pathExpression);
    static QString assignment(const QString &name, const QString &value) { return name + u'=' + quote(value); }

private:
    QStringList m_words;
};

} // namespace rd
