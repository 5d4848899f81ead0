#!/usr/bin/env bash
# Packs every library and the objlog tool into a local folder, installs the libraries into a fresh console project
# and the tool into a temporary tool path, and runs both: what a user gets from NuGet, before it is published.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
for p in ObjectLog ObjectLog.S3 ObjectLog.Azure ObjectLog.Extensions.Logging ObjectLog.Extensions.Hosting Serilog.Sinks.ObjectLog ObjectLog.Cli; do
  dotnet pack "src/$p" -c Release -o "$feed" -p:CI=true --nologo -v q
done
ls "$feed"

# The libraries, as a user adds them (NuGet.org, through the machine's source, serves their dependencies).
mkdir "$work/sample"
cp samples/PackageSmoke/Program.cs "$work/sample/"
(
  cd "$work/sample"
  cat > PackageSmoke.csproj <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
</Project>
PROJ
  echo '<Project />' > Directory.Build.props   # not the repository's settings: a user's project has none of them
  echo '<Project />' > Directory.Packages.props
  # The local folder beside the machine's own sources (which serve the dependencies).
  dotnet new nugetconfig >/dev/null
  dotnet nuget add source "$feed" --name local >/dev/null
  for src in $(dotnet nuget list source --format short --configfile "$HOME/.nuget/NuGet/NuGet.Config" 2>/dev/null | awk '/^E/ {print $2}'); do
    dotnet nuget add source "$src" --name "machine-$RANDOM" >/dev/null 2>&1 || true
  done
  for p in ObjectLog ObjectLog.S3 ObjectLog.Azure ObjectLog.Extensions.Logging ObjectLog.Extensions.Hosting Serilog.Sinks.ObjectLog; do
    dotnet add package "$p" --version 1.0.0 >/dev/null
  done
  dotnet run | tee -a /dev/stderr | grep -qx 'package smoke: ok'
)

# The tool, as the README installs it (with --tool-path instead of -g, so nothing outside $work changes).
dotnet tool install --tool-path "$work/tools" --add-source "$feed" ObjectLog.Cli --version 1.0.0
(cd "$work" && "$work/tools/objlog" demo | tail -3)
