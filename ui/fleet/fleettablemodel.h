#pragma once

#include "release/serverrelease.h"

#include <QAbstractTableModel>
#include <QColor>

namespace rd {

// One server of one environment in the fleet view.
struct FleetRow
{
    QString project;
    QString environment;
    ServerRelease server; // name and host from the start; the rest once it has answered
    QString expected;     // the release the environment should run; empty until known
    bool read = false;    // answered, or failed to
};

// Servers × what they run. Rows are set when a reading starts and filled in as each server answers.
class FleetTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Server, Environment, Host, Version, Commit, Released, Operator, Drift, Lock, Error, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(const QList<FleetRow> &rows);
    // One server's answer; `expected` is what it is measured against (empty: not known yet).
    void updateServer(const QString &environment, const ServerRelease &server, const QString &expected);
    int rowOf(const QString &environment, const QString &server) const;
    const FleetRow &rowAt(int row) const { return m_rows.at(row); }

    static QColor driftBackground();
    static QColor unreachableBackground();
    static QColor lockColor();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant display(const FleetRow &row, int column) const;
    QString toolTip(const FleetRow &row) const;

    QList<FleetRow> m_rows;
};

} // namespace rd
