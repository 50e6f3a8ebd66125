#include "logdock.h"
#include "logs/logview.h"

namespace rd {

QString LogDock::objectNameFor(const QString &title)
{
    QString name = title;
    for (QChar &c : name)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('.'))
            c = QLatin1Char('_');
    return QStringLiteral("logDock_") + name;
}

LogDock::LogDock(const QString &title, const QString &path, QWidget *parent)
    : QDockWidget(title, parent), m_view(new LogView)
{
    setObjectName(objectNameFor(title));
    setWidget(m_view);
    m_view->setLogFile(path);
}

} // namespace rd
