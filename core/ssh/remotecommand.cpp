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

} // namespace rd
