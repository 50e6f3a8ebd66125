#pragma once

#include "inventorypanes/entitytablemodel.h"
#include "inventory/environment.h"

#include <QHash>

namespace rd {

// The environments, one row each; dropping servers onto a row asks to append them to it.
class EnvironmentTableModel : public EntityTableModel
{
    Q_OBJECT

public:
    using EntityTableModel::EntityTableModel;

    void setEnvironments(const QList<Environment> &environments, const QHash<qint64, QString> &projectNames);
    const Environment &environmentAt(int row) const { return m_environments.at(row); }
    qint64 idAt(int row) const override { return m_environments.at(row).id; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

signals:
    void serversDropped(qint64 environmentId, const QList<qint64> &serverIds);

private:
    QList<Environment> m_environments;
    QHash<qint64, QString> m_projectNames;
};

} // namespace rd
