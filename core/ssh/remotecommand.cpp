#include "remotecommand.h"

#include <QRegularExpression>

namespace rd {

QString RemoteCommand::quote(const QString &value)
{
    // \z, not $: a PCRE $ also matches before a final newline, which would leave "x\n" unquoted.
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+\\z"));
    if (!value.isEmpty() && safe.match(value).hasMatch())
        return value;
    QString quoted = value;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

QString RemoteCommand::copyInput(qint64 bytes, const QString &pathExpression)
{
    return QStringLiteral("{ if dd if=/dev/null of=/dev/null count=0 iflag=count_bytes,fullblock status=none 2>/dev/null; "
                          "then dd bs=1M iflag=count_bytes,fullblock count=%1 of=%2 status=none; "
                          "else head -c %1 > %2; fi; }")
        .arg(QString::number(bytes), pathExpression);
}

} // namespace rd
