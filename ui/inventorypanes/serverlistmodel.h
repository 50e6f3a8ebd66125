#pragma once

#include "inventory/server.h"

#include <QAbstractTableModel>

namespace rd {

// Servers as a drag source and drop target (name and host). Used twice in the environments pane:
// "All servers" (a drop there means "take these out of the environment") and the ordered list of
// one environment (a drop there means "put these at this position").
class ServerListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Kind { Pool, Ordered };
    explicit ServerListModel(Kind kind, QObject *parent = nullptr);

    void setServers(const QList<Server> &servers);
    qint64 idAt(int row) const { return m_servers.at(row).id; }
    QList<qint64> ids() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

signals:
    // `row` is the insertion position in this list; -1 means the end.
    void serversDropped(const QList<qint64> &serverIds, int row);

private:
    Kind m_kind;
    QList<Server> m_servers;
};

} // namespace rd
