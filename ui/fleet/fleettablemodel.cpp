#include "fleettablemodel.h"

#include <QFont>

namespace rd {

namespace {

QString ageText(qint64 seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 120)
        return FleetTableModel::tr("%1 s").arg(QString::number(seconds));
    if (seconds < 7200)
        return FleetTableModel::tr("%1 min").arg(QString::number(seconds / 60));
    return FleetTableModel::tr("%1 h").arg(QString::number(seconds / 3600));
}

bool pending(const FleetRow &row) { return !row.read; }
bool unreachable(const FleetRow &row) { return row.read && !row.server.reachable; }

} // namespace

void FleetTableModel::setRows(const QList<FleetRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

void FleetTableModel::updateServer(const QString &environment, const ServerRelease &server, const QString &expected)
{
    const int row = rowOf(environment, server.server);
    if (row < 0)
        return;
    m_rows[row].server = server;
    m_rows[row].expected = expected;
    m_rows[row].read = true;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int FleetTableModel::rowOf(const QString &environment, const QString &server) const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows[row].environment == environment && m_rows[row].server.server == server)
            return row;
    return -1;
}

QColor FleetTableModel::driftBackground() { return QColor(0xff, 0xe0, 0x82); }

QColor FleetTableModel::unreachableBackground() { return QColor(0xfd, 0xd5, 0xd2); }

QColor FleetTableModel::lockColor() { return QColor(0x6a, 0x1b, 0x9a); }

int FleetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetTableModel::display(const FleetRow &row, int column) const
{
    const ServerRelease &server = row.server;
    switch (column) {
    case Server:
        return server.server;
    case Environment:
        return tr("%1 / %2").arg(row.project, row.environment);
    case Host:
        return server.host;
    case Version:
        if (pending(row))
            return tr("reading…");
        if (unreachable(row))
            return tr("not readable");
        return server.version.isEmpty() ? tr("no release") : server.version;
    case Commit:
        return server.commit.left(8);
    case Released:
        return server.time.isValid() ? server.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
    case Operator:
        return server.operatorName;
    case Drift:
        return server.drift ? tr("DRIFT") : QString();
    case Lock:
        if (server.lockHolder.isEmpty())
            return QString();
        return server.lockAgeSeconds < 0 ? server.lockHolder
                                         : tr("%1 (%2)").arg(server.lockHolder, ageText(server.lockAgeSeconds));
    case Error:
        return unreachable(row) ? server.error : QString();
    }
    return {};
}

QString FleetTableModel::toolTip(const FleetRow &row) const
{
    const ServerRelease &server = row.server;
    if (pending(row))
        return tr("Reading %1 (%2)…").arg(server.server, server.host);
    if (unreachable(row))
        return tr("%1 could not be read: %2").arg(server.server, server.error);
    QStringList lines;
    if (server.drift)
        lines << tr("Drift: runs %1, but %2 / %3 should run %4.")
                     .arg(server.version.isEmpty() ? tr("no release") : server.version, row.project,
                          row.environment, row.expected);
    else if (!row.expected.isEmpty())
        lines << tr("Runs %1, the release of %2 / %3.").arg(server.version, row.project, row.environment);
    if (!server.commit.isEmpty())
        lines << tr("Commit %1 (%2)").arg(server.commit, server.ref);
    if (!server.lockHolder.isEmpty())
        lines << tr("Locked by %1 for %2: a release may be running there.")
                     .arg(server.lockHolder, ageText(server.lockAgeSeconds));
    if (!server.releases.isEmpty())
        lines << tr("Kept releases: %1").arg(server.releases.join(QStringLiteral(", ")));
    if (server.freeKiB >= 0)
        lines << tr("Free space: %1 MiB").arg(QString::number(server.freeKiB / 1024));
    return lines.join(u'\n');
}

QVariant FleetTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const FleetRow &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        return toolTip(row);
    case Qt::BackgroundRole:
        if (unreachable(row))
            return unreachableBackground();
        if (row.server.drift)
            return driftBackground();
        return {};
    case Qt::ForegroundRole:
        if (unreachable(row))
            return QColor(0xb7, 0x1c, 0x1c);
        if (row.server.drift)
            return QColor(0x5d, 0x40, 0x00);
        if (index.column() == Lock)
            return lockColor();
        if (pending(row) || (index.column() == Version && row.server.version.isEmpty()))
            return QColor(0x75, 0x75, 0x75);
        return {};
    case Qt::FontRole: {
        const bool italic = index.column() == Version && (pending(row) || row.server.version.isEmpty());
        const bool bold = index.column() == Drift || (index.column() == Lock && !row.server.lockHolder.isEmpty());
        if (!italic && !bold)
            return {};
        QFont font;
        font.setItalic(italic);
        font.setBold(bold);
        return font;
    }
    }
    return {};
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Server:
        return tr("Server");
    case Environment:
        return tr("Environment");
    case Host:
        return tr("Host");
    case Version:
        return tr("Version");
    case Commit:
        return tr("Commit");
    case Released:
        return tr("Released");
    case Operator:
        return tr("Operator");
    case Drift:
        return tr("Drift");
    case Lock:
        return tr("Lock");
    case Error:
        return tr("Error");
    }
    return {};
}

} // namespace rd
